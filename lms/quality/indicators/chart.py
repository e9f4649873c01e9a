"""Lay out rows as horizontal bars: rates on 0–100 %, means on their scale.

Pure geometry (no Flask, no database). Drawn 360 units wide, a phone's width, so that the text
stays readable at 390 px: per row its label on one or two lines, then a bar on its track with
the value written after it. ``templates/quality/indicators/_chart.svg.html`` draws it; the table
beside it holds the same numbers. Rows without a value get an empty track and "—".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lms.learning.timeline import wrap_title
from lms.quality.indicators.rows import MEAN, Row

WIDTH = 360
TRACK_X = 0
TRACK_WIDTH = 290
TEXT_X = TRACK_WIDTH + 6
LINE = 17
BAR_HEIGHT = 14
GAP = 12
TITLE_CHARACTERS = 52


@dataclass(frozen=True)
class Bar:
    row: Row
    lines: tuple[str, ...]
    label_y: float
    y: float
    width: float

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT - 2


@dataclass(frozen=True)
class Chart:
    width: int
    height: float
    bars: tuple[Bar, ...]
    track_x: int = TRACK_X
    track_width: int = TRACK_WIDTH
    text_x: int = TEXT_X
    bar_height: int = BAR_HEIGHT


def _share(row: Row) -> float:
    if row.value is None:
        return 0.0
    if row.unit == MEAN:
        return float(row.value) / row.scale_top if row.scale_top else 0.0
    return float(row.value) / 100


def layout_chart(rows: Iterable[Row]) -> Chart:
    """Place each row: its label, then its bar (rates over 100, means over their scale)."""
    bars, y = [], 0.0
    for row in rows:
        lines = wrap_title(row.label, TITLE_CHARACTERS, 2)
        label_y = y + LINE - 4
        y += LINE * len(lines)
        width = round(TRACK_WIDTH * min(max(_share(row), 0.0), 1.0), 2)
        bars.append(Bar(row, tuple(lines), label_y, y, width))
        y += BAR_HEIGHT + GAP
    return Chart(WIDTH, round(y, 2), tuple(bars))
