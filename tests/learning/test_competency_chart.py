"""The competency chart layout: bar lengths on the scale, required markers, no evidence apart."""

from __future__ import annotations

from lms.learning.competencies import (
    BlockProfile,
    CompetencyLine,
    CompetencyProfile,
    ScaleStep,
)
from lms.learning.competency_chart import (
    BLOCK_HEADER,
    TRACK_WIDTH,
    TRACK_X,
    WIDTH,
    layout_competency_chart,
    level_x,
)
from tests.learning.competency_helpers import SCALE

FULL_SCALE = tuple(ScaleStep(value, label) for value, label in SCALE)


def line(code: str, required: int = 3, level: int | None = None, title: str = "") -> CompetencyLine:
    """Return a competency line of the profile."""
    return CompetencyLine(
        id=sum(map(ord, code)),
        code=code,
        title=title or f"Compétence {code}",
        description="",
        required_level=required,
        level=level,
    )


def profile(*blocks: tuple[str, tuple], scale=FULL_SCALE) -> CompetencyProfile:
    """Return a profile of blocks given as (code, lines)."""
    return CompetencyProfile(
        blocks=tuple(
            BlockProfile(index, code, f"Bloc {code}", "", lines)
            for index, (code, lines) in enumerate(blocks)
        ),
        scale=scale,
    )


def test_bar_length_is_the_level_on_the_scale():
    chart = layout_competency_chart(
        profile(("BC1", (line("A", level=1), line("B", level=3), line("C", level=4))))
    )
    widths = [bar.bar_width for bar in chart.bars]
    assert widths == [TRACK_WIDTH / 4, TRACK_WIDTH * 3 / 4, TRACK_WIDTH]


def test_a_level_beyond_the_scale_fills_the_track_and_no_more():
    chart = layout_competency_chart(profile(("BC1", (line("A", level=7),))))
    assert chart.bar("A").bar_width == TRACK_WIDTH


def test_required_marker_sits_at_the_required_level():
    chart = layout_competency_chart(
        profile(("BC1", (line("A", required=2, level=4), line("B", required=4, level=1))))
    )
    assert chart.bar("A").required_x == TRACK_X + TRACK_WIDTH / 2
    assert chart.bar("B").required_x == TRACK_X + TRACK_WIDTH


def test_no_evidence_is_not_a_short_bar():
    chart = layout_competency_chart(profile(("BC1", (line("NONE"), line("LOW", level=1)))))
    none, low = chart.bar("NONE"), chart.bar("LOW")
    assert (none.is_evidenced, none.bar_width, none.status) == (False, 0, "not-evidenced")
    assert (low.is_evidenced, low.status) == (True, "insufficient")
    assert low.bar_width > 0
    assert none.required_x == low.required_x  # the requirement is shown either way


def test_ticks_graduate_the_track_with_the_scale_labels():
    chart = layout_competency_chart(profile(("BC1", (line("A"),))))
    assert [(tick.value, tick.label) for tick in chart.ticks] == list(SCALE)
    assert [tick.x for tick in chart.ticks] == [TRACK_X + TRACK_WIDTH * v / 4 for v in range(5)]


def test_without_a_scale_the_ticks_go_up_to_the_highest_level_in_use():
    chart = layout_competency_chart(profile(("BC1", (line("A", required=2),)), scale=()))
    assert [(tick.value, tick.label) for tick in chart.ticks] == [(0, "0"), (1, "1"), (2, "2")]
    assert level_x(2, 2) == TRACK_X + TRACK_WIDTH


def test_blocks_and_rows_follow_each_other_without_overlap():
    chart = layout_competency_chart(
        profile(
            ("BC1", (line("A"), line("B"), line("C"))),
            ("BC2", ()),
            ("BC3", (line("D"),)),
        )
    )
    assert [item.block.code for item in chart.blocks] == ["BC1", "BC2", "BC3"]
    assert [bar.line.code for bar in chart.bars] == ["A", "B", "C", "D"]
    previous_bottom = 0.0
    for item in chart.blocks:
        assert item.y >= previous_bottom
        for bar in item.bars:
            assert bar.y >= item.y + BLOCK_HEADER
            assert bar.y >= previous_bottom
            previous_bottom = bar.bottom
        previous_bottom = item.bottom
    assert chart.blocks[1].bottom == chart.blocks[1].y + BLOCK_HEADER  # an empty block
    assert chart.height > chart.blocks[-1].bottom
    assert chart.width == WIDTH


def test_text_stays_inside_its_row():
    chart = layout_competency_chart(profile(("BC1", (line("A"), line("B")))))
    for bar in chart.bars:
        assert bar.y < bar.title_y < bar.track_y < bar.text_y < bar.bottom
        assert bar.track_y + chart.track_height < bar.bottom


def test_long_titles_are_shortened_on_one_line():
    chart = layout_competency_chart(profile(("BC1", (line("A", title="mot " * 40),))))
    title = chart.bar("A").title
    assert title.startswith("A · mot mot")
    assert title.endswith("…")
    assert len(title) <= 70


def test_an_empty_profile_is_an_empty_canvas():
    chart = layout_competency_chart(profile())
    assert (chart.blocks, chart.bars) == ((), ())
    assert chart.height > 0


def test_the_no_evidence_words_stay_clear_of_the_required_marker():
    # "Pas encore évaluée" in bold at 12.5 px is about 130 px wide: half of it each side.
    half_words = 70
    lines = tuple(line(f"R{required}", required=required) for required in range(5))
    chart = layout_competency_chart(profile(("BC1", lines)))
    for bar in chart.bars:
        assert abs(bar.empty_label_x - bar.required_x) >= half_words, bar.line.code
        assert TRACK_X + half_words <= bar.empty_label_x <= TRACK_X + TRACK_WIDTH - half_words
