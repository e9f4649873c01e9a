"""Lay out a competency profile as horizontal bars, grouped by block, on the proficiency scale.

Pure geometry (no Flask, no database): ``layout_competency_chart`` takes a ``CompetencyProfile``
(plain values, see ``lms.learning.competencies``) and returns where each block heading, bar and
required-level marker goes; ``templates/learning/_competency_chart.svg.html`` draws it.

Every competency gets a full-width track graduated from 0 to the top of the scale. A rated
competency fills the track up to its level; a marker crosses the track at the required level. A
competency without evidence fills nothing: its track is drawn hatched with the words "no evidence
yet" (beside the marker, never under it), so that it can never be mistaken for a short
(insufficient) bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lms.learning.timeline import wrap_title

if TYPE_CHECKING:  # the values only: importing them would bring the database in
    from lms.learning.competencies import BlockProfile, CompetencyLine, CompetencyProfile

MARGIN = 16
TRACK_X = MARGIN + 8  # tick labels at 0 must not touch the edge
TRACK_WIDTH = 360
TRACK_HEIGHT = 20
TEXT_GAP = 16
TEXT_WIDTH = 300  # the "3 — Acquis / required 3" label, right of the track
AXIS_HEIGHT = 28
BLOCK_HEADER = 34
ROW_HEIGHT = 58
BLOCK_GAP = 14
TITLE_CHARACTERS = 70  # code and title on one line above the track, left of the status word
WIDTH = TRACK_X + TRACK_WIDTH + TEXT_GAP + TEXT_WIDTH + MARGIN


@dataclass(frozen=True)
class ChartBar:
    """A competency's row: its line, the top of the row, the filled width and the marker."""

    line: CompetencyLine
    y: float
    bar_width: float  # 0 when there is no evidence (the track is hatched instead)
    required_x: float

    @property
    def status(self) -> str:
        return str(self.line.status)

    @property
    def is_evidenced(self) -> bool:
        return self.line.level is not None

    @property
    def empty_label_x(self) -> float:
        """Return the centre of the "no evidence yet" words: the middle of the wider part of
        the track beside the required-level marker, so that the marker never crosses them."""
        left, right = TRACK_X, TRACK_X + TRACK_WIDTH
        if self.required_x - left >= right - self.required_x:
            return round((left + self.required_x) / 2, 1)
        return round((self.required_x + right) / 2, 1)

    @property
    def title(self) -> str:
        """Return the code and title on one line, shortened with "…" when too long."""
        return wrap_title(f"{self.line.code} · {self.line.title}", TITLE_CHARACTERS, 1)[0]

    @property
    def title_y(self) -> float:
        return self.y + 15

    @property
    def track_y(self) -> float:
        return self.y + 22

    @property
    def text_y(self) -> float:
        """Return the baseline of the text beside the track, centred on it."""
        return self.track_y + TRACK_HEIGHT / 2 + 4.5

    @property
    def bottom(self) -> float:
        return self.y + ROW_HEIGHT


@dataclass(frozen=True)
class ChartBlock:
    """A block: its profile, the top of its heading and its competencies' rows."""

    block: BlockProfile
    y: float
    bars: tuple[ChartBar, ...]

    @property
    def title_y(self) -> float:
        return self.y + 22

    @property
    def bottom(self) -> float:
        return self.bars[-1].bottom if self.bars else self.y + BLOCK_HEADER


@dataclass(frozen=True)
class ChartTick:
    """A graduation of the scale: its value, label and where it crosses the tracks."""

    value: int
    label: str
    x: float


@dataclass(frozen=True)
class CompetencyChart:
    """The whole picture: blocks in the path's order, the scale's ticks and the canvas size."""

    blocks: tuple[ChartBlock, ...]
    ticks: tuple[ChartTick, ...]
    width: float
    height: float
    track_x: float = TRACK_X
    track_width: float = TRACK_WIDTH
    track_height: float = TRACK_HEIGHT
    text_x: float = TRACK_X + TRACK_WIDTH + TEXT_GAP
    axis_y: float = MARGIN + 14

    @property
    def bars(self) -> tuple[ChartBar, ...]:
        return tuple(bar for block in self.blocks for bar in block.bars)

    @property
    def grid_top(self) -> float:
        return MARGIN + AXIS_HEIGHT - 6

    @property
    def grid_bottom(self) -> float:
        return self.height - MARGIN

    def bar(self, code: str) -> ChartBar:
        """Return the row of one competency."""
        return next(bar for bar in self.bars if bar.line.code == code)


def level_x(level: int, top: int) -> float:
    """Return where ``level`` falls on a track graduated from 0 to ``top`` (clamped to it)."""
    top = max(top, 1)
    return round(TRACK_X + TRACK_WIDTH * min(max(level, 0), top) / top, 1)


def _bar(line: CompetencyLine, y: float, top: int) -> ChartBar:
    """Place one competency's row: the filled width and the required-level marker."""
    filled = 0.0 if line.level is None else level_x(line.level, top) - TRACK_X
    return ChartBar(line, y, round(filled, 1), level_x(line.required_level, top))


def _block(block: BlockProfile, y: float, top: int) -> ChartBlock:
    """Place a block's heading and, below it, one row per competency."""
    first = y + BLOCK_HEADER
    bars = tuple(
        _bar(line, first + index * ROW_HEIGHT, top) for index, line in enumerate(block.competencies)
    )
    return ChartBlock(block, y, bars)


def layout_competency_chart(profile: CompetencyProfile) -> CompetencyChart:
    """Place every block and competency of the profile, below the scale's axis."""
    top = profile.top
    y = MARGIN + AXIS_HEIGHT
    blocks = []
    for block in profile.blocks:
        blocks.append(_block(block, y, top))
        y = blocks[-1].bottom + BLOCK_GAP
    values = [step.value for step in profile.scale if step.value <= top] or range(top + 1)
    ticks = tuple(ChartTick(value, profile.label(value), level_x(value, top)) for value in values)
    height = (blocks[-1].bottom if blocks else y) + MARGIN
    return CompetencyChart(tuple(blocks), ticks, WIDTH, height)
