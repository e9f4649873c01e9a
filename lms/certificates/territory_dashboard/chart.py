"""Lay out a grid section's dimensions as bars: mean ex ante and ex post, and their spread.

Pure geometry (no Flask, no database). The picture is drawn narrow (360 units wide, the width of
a phone) so that it keeps readable text at 390 px: per dimension, its title, then for each
moment a bar of the mean on the scale (0 to the scale's top) with the mean written after it, and
under it a bar split by how many projects got each value (a stacked bar, darker for higher
values). ``templates/certificates/territory_dashboard/_chart.svg.html`` draws it; the table after
it holds the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lms.learning.timeline import wrap_title

if TYPE_CHECKING:  # the values only
    from lms.certificates.territory_dashboard.projects import GridSection, MomentFigures

WIDTH = 360
LABEL_WIDTH = 62
TRACK_X = LABEL_WIDTH
TRACK_WIDTH = 230
TEXT_X = TRACK_X + TRACK_WIDTH + 8
TITLE_LINE = 18
MEAN_HEIGHT = 14
SPREAD_HEIGHT = 10
MOMENT_HEIGHT = MEAN_HEIGHT + 4 + SPREAD_HEIGHT + 10
GAP = 14
AXIS_HEIGHT = 24  # the scale's values written above the first dimension
TITLE_CHARACTERS = 44
LIGHT, DARK = (0xD9, 0xEC, 0xE3), (0x0E, 0x33, 0x2B)


def shades(count: int) -> tuple[str, ...]:
    """Return ``count`` fills from light to dark green, one per value of the scale."""
    if count <= 1:
        return (_hex(DARK),)
    result = []
    for index in range(count):
        t = index / (count - 1)
        result.append(_hex(tuple(round(a + (b - a) * t) for a, b in zip(LIGHT, DARK, strict=True))))
    return tuple(result)


def _hex(rgb: tuple[int, ...]) -> str:
    return "#" + "".join(f"{part:02x}" for part in rgb)


@dataclass(frozen=True)
class Segment:
    value: int
    count: int
    x: float
    width: float
    fill: str


@dataclass(frozen=True)
class MomentBar:
    moment: str
    figures: MomentFigures
    y: float  # top of the mean bar
    mean_width: float
    segments: tuple[Segment, ...]

    @property
    def text_y(self) -> float:
        return self.y + MEAN_HEIGHT - 2

    @property
    def spread_y(self) -> float:
        return self.y + MEAN_HEIGHT + 4


@dataclass(frozen=True)
class DimensionRow:
    code: str
    title_lines: tuple[str, ...]
    title_y: float
    bars: tuple[MomentBar, ...]


@dataclass(frozen=True)
class Tick:
    value: int
    x: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: float
    rows: tuple[DimensionRow, ...]
    fills: tuple[tuple[int, str], ...]  # (value, fill) for the legend
    ticks: tuple[Tick, ...]  # the scale's values, above the bars
    track_x: int = TRACK_X
    track_width: int = TRACK_WIDTH
    text_x: int = TEXT_X
    mean_height: int = MEAN_HEIGHT
    spread_height: int = SPREAD_HEIGHT


def _segments(figures: MomentFigures, fills: dict[int, str]) -> tuple[Segment, ...]:
    total = sum(figures.counts.values())
    if not total:
        return ()
    result, x = [], float(TRACK_X)
    for value, fill in fills.items():
        count = figures.count(value)
        if not count:
            continue
        width = round(TRACK_WIDTH * count / total, 2)
        result.append(Segment(value, count, round(x, 2), width, fill))
        x += width
    return tuple(result)


def layout_chart(section: GridSection, moments: tuple[str, ...]) -> Chart:
    """Place every dimension of ``section``: its title, then a mean and a spread bar per moment."""
    grid = section.grid
    values = [level.value for level in grid.levels]
    fills = dict(zip(values, shades(len(values)), strict=True))
    top = grid.highest or 1
    ticks = tuple(Tick(value, round(TRACK_X + TRACK_WIDTH * value / top, 2)) for value in values)
    rows, y = [], AXIS_HEIGHT
    for dimension in section.dimensions:
        lines = wrap_title(dimension.title, TITLE_CHARACTERS, 2)
        title_y = y + TITLE_LINE - 4
        y += TITLE_LINE * len(lines) + 4
        bars = []
        for moment in moments:
            figures = dimension.at(moment)
            width = 0.0 if figures.mean is None else round(TRACK_WIDTH * figures.mean / top, 2)
            bars.append(MomentBar(moment, figures, y, width, _segments(figures, fills)))
            y += MOMENT_HEIGHT
        rows.append(DimensionRow(dimension.code, lines, title_y, tuple(bars)))
        y += GAP
    return Chart(WIDTH, round(y, 2), tuple(rows), tuple(fills.items()), ticks)
