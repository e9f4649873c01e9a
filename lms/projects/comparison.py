"""A project's evaluations side by side, per dimension of the grid, and their chart's geometry.

``compare`` reads a project's evaluations into rows (one per dimension: the ex ante, ex post and
later ex post values with their justifications, and the difference ex post − ex ante); ``layout``
places them on a dumbbell chart (pure geometry, no database): one track per dimension graduated
on the grid's scale, a filled circle at the ex post value, a ring over it at the ex ante value
(both seen when equal), a line between them, and a diamond at the later ex post value.
``templates/projects/_comparison.svg.html`` draws it; the table after it carries the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

from lms.projects.grid import Grid
from lms.projects.models import (
    EvaluationMoment,
    ProjectDimension,
    ProjectEvaluation,
    ProjectEvaluationValue,
)

MARGIN = 16
TRACK_X = 32
TRACK_WIDTH = 320
TEXT_GAP = 20
TEXT_WIDTH = 110
AXIS_HEIGHT = 28
ROW_HEIGHT = 60
TITLE_OFFSET = 18
TRACK_OFFSET = 38
WIDTH = TRACK_X + TRACK_WIDTH + TEXT_GAP + TEXT_WIDTH + MARGIN


@dataclass(frozen=True)
class DimensionRow:
    """One dimension's values at each moment (None: not evaluated yet)."""

    dimension: ProjectDimension
    ex_ante: ProjectEvaluationValue | None
    ex_post: ProjectEvaluationValue | None
    later: ProjectEvaluationValue | None

    @property
    def difference(self) -> int | None:
        """Return ex post − ex ante, or None while one is missing."""
        if self.ex_ante is None or self.ex_post is None:
            return None
        return self.ex_post.value - self.ex_ante.value


@dataclass(frozen=True)
class Comparison:
    """A project's evaluations by moment and per dimension."""

    evaluations: dict[EvaluationMoment, ProjectEvaluation]
    rows: tuple[DimensionRow, ...]

    @property
    def has_values(self) -> bool:
        return bool(self.evaluations)


def compare(grid: Grid, evaluations: list[ProjectEvaluation]) -> Comparison:
    """Return the rows of the project's evaluations (their values loaded), one per dimension."""
    by_moment = {evaluation.moment: evaluation for evaluation in evaluations}

    def value(moment: EvaluationMoment, dimension: ProjectDimension):
        evaluation = by_moment.get(moment)
        if evaluation is None:
            return None
        return next((v for v in evaluation.values if v.dimension_id == dimension.id), None)

    rows = tuple(
        DimensionRow(
            dimension,
            value(EvaluationMoment.EX_ANTE, dimension),
            value(EvaluationMoment.EX_POST, dimension),
            value(EvaluationMoment.EX_POST_LATER, dimension),
        )
        for dimension in grid.dimensions
    )
    return Comparison(by_moment, rows)


@dataclass(frozen=True)
class Tick:
    x: float
    value: int
    label: str


@dataclass(frozen=True)
class ChartRow:
    """Where a dimension's title, track and markers go."""

    row: DimensionRow
    title_y: float
    track_y: float
    ex_ante_x: float | None
    ex_post_x: float | None
    later_x: float | None


@dataclass(frozen=True)
class Chart:
    """The dumbbell chart's size, axis and rows."""

    width: int
    height: int
    track_x: int
    track_width: int
    text_x: int
    axis_y: float
    grid_top: float
    grid_bottom: float
    ticks: tuple[Tick, ...]
    rows: tuple[ChartRow, ...]


def layout(grid: Grid, comparison: Comparison) -> Chart:
    """Place each dimension's values on its track, graduated from the lowest to the highest."""
    low, high = grid.lowest, grid.highest
    span = max(high - low, 1)

    def x(value: ProjectEvaluationValue | None) -> float | None:
        if value is None:
            return None
        return round(TRACK_X + (value.value - low) * TRACK_WIDTH / span, 1)

    rows = []
    for index, row in enumerate(comparison.rows):
        top = AXIS_HEIGHT + index * ROW_HEIGHT
        rows.append(
            ChartRow(
                row=row,
                title_y=top + TITLE_OFFSET,
                track_y=top + TRACK_OFFSET,
                ex_ante_x=x(row.ex_ante),
                ex_post_x=x(row.ex_post),
                later_x=x(row.later),
            )
        )
    height = AXIS_HEIGHT + len(rows) * ROW_HEIGHT + MARGIN
    ticks = tuple(
        Tick(round(TRACK_X + (level.value - low) * TRACK_WIDTH / span, 1), level.value, level.label)
        for level in grid.levels
    )
    return Chart(
        width=WIDTH,
        height=height,
        track_x=TRACK_X,
        track_width=TRACK_WIDTH,
        text_x=TRACK_X + TRACK_WIDTH + TEXT_GAP,
        axis_y=AXIS_HEIGHT - 10,
        grid_top=AXIS_HEIGHT,
        grid_bottom=height - MARGIN,
        ticks=ticks,
        rows=tuple(rows),
    )
