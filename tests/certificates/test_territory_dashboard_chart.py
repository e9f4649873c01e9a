"""The territory dashboard's chart layout: pure geometry on plain values."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from lms.certificates.territory_dashboard.chart import TRACK_WIDTH, TRACK_X, layout_chart, shades
from lms.certificates.territory_dashboard.projects import (
    MOMENTS,
    DimensionFigures,
    GridSection,
    MomentFigures,
    Paired,
)


def section(ante: MomentFigures, post: MomentFigures) -> GridSection:
    levels = tuple(SimpleNamespace(value=value, label=str(value)) for value in range(5))
    grid = SimpleNamespace(levels=levels, highest=4, lowest=0, domains=(), path_id=1)
    dimension = DimensionFigures("sante", "Santé et bien-être", ante, post, Paired())
    return GridSection(grid, "Parcours (v1)", 3, (), (dimension,))  # type: ignore[arg-type]


def test_a_mean_fills_its_share_of_the_scale_and_values_split_the_spread_bar():
    ante = MomentFigures(3, 2.0, {1: 1, 3: 2})
    post = MomentFigures(0, None, {})
    chart = layout_chart(section(ante, post), MOMENTS)
    first, second = chart.rows[0].bars
    assert first.mean_width == TRACK_WIDTH / 2  # 2 on a scale of 0 to 4
    assert [(s.value, s.count) for s in first.segments] == [(1, 1), (3, 2)]
    assert first.segments[0].x == TRACK_X
    assert sum(s.width for s in first.segments) == pytest.approx(TRACK_WIDTH)
    assert first.segments[1].x == pytest.approx(TRACK_X + first.segments[0].width)
    # Not evaluated: no bar, no spread (never a bar of 0 that reads as a low value).
    assert second.mean_width == 0
    assert second.segments == ()
    assert [tick.value for tick in chart.ticks] == [0, 1, 2, 3, 4]
    assert chart.ticks[-1].x == TRACK_X + TRACK_WIDTH


def test_fills_go_from_light_to_dark_one_per_value():
    fills = shades(5)
    assert len(set(fills)) == 5
    assert fills[0] == "#d9ece3"
    assert fills[-1] == "#0e332b"
    assert shades(1) == ("#0e332b",)
