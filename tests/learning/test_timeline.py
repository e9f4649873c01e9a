"""The timeline layout: ranks from the chronology, M3 and M4 side by side, one arrow per edge."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.curriculum.graph import CycleError
from lms.learning.timeline import (
    CARD_HEIGHT,
    TimelineEntry,
    compute_ranks,
    layout_timeline,
    module_stage,
    progress_width,
    wrap_title,
)
from tests.learning.helpers import BIEN_VIVRE_MODULES, BIEN_VIVRE_PREREQUISITES

EDGES = {(need, code) for code, needs in BIEN_VIVRE_PREREQUISITES.items() for need in needs}


def bien_vivre_entries(**overrides) -> list[TimelineEntry]:
    """Return one entry per module of the §6 path; ``overrides`` maps a code to field values."""
    return [
        TimelineEntry(
            code=code,
            title=title,
            prerequisites=tuple(needs),
            **{"status": "locked", **overrides.get(code, {})},
        )
        for code, title, needs in BIEN_VIVRE_MODULES
    ]


def overlap(a, b) -> bool:
    """Tell whether two cards' boxes intersect."""
    return not (a.x + a.width <= b.x or b.x + b.width <= a.x or a.bottom <= b.y or b.bottom <= a.y)


def test_ranks_follow_the_longest_prerequisite_chain():
    assert compute_ranks(BIEN_VIVRE_PREREQUISITES) == {
        "M1": 0, "M2": 1, "M3": 2, "M4": 2, "M5": 3, "M6": 4, "M7": 5, "M8": 6,
    }  # fmt: skip
    assert compute_ranks({"A": [], "B": ["A"], "C": ["A", "B"]}) == {"A": 0, "B": 1, "C": 2}


def test_m3_and_m4_are_side_by_side_and_the_others_alone_in_their_rank():
    timeline = layout_timeline(bien_vivre_entries())
    m3, m4 = timeline.node("M3"), timeline.node("M4")
    assert m3.y == m4.y
    assert m3.x + m3.width < m4.x
    assert (m3.column, m4.column) == (0, 1)
    assert [rank.codes for rank in timeline.ranks] == [
        ("M1",),
        ("M2",),
        ("M3", "M4"),
        ("M5",),
        ("M6",),
        ("M7",),
        ("M8",),
    ]
    singles = {timeline.node(code).center_x for code in ("M1", "M2", "M5", "M6", "M7", "M8")}
    assert len(singles) == 1  # one straight column
    assert singles == {(m3.center_x + m4.center_x) / 2}  # centred under the pair


def test_cards_are_in_chronological_order_below_their_prerequisites_and_never_overlap():
    timeline = layout_timeline(bien_vivre_entries())
    assert [node.entry.code for node in timeline.nodes] == [code for code, *_ in BIEN_VIVRE_MODULES]
    for need, code in EDGES:
        assert timeline.node(code).y > timeline.node(need).bottom
    for index, node in enumerate(timeline.nodes):
        assert node.x >= 0
        assert node.y >= 0
        assert node.x + node.width <= timeline.width
        assert node.bottom <= timeline.height
        for other in timeline.nodes[index + 1 :]:
            assert not overlap(node, other), (node.entry.code, other.entry.code)


def test_there_is_one_arrow_per_prerequisite_edge_from_card_to_card():
    timeline = layout_timeline(bien_vivre_entries())
    assert {(arrow.source, arrow.target) for arrow in timeline.arrows} == EDGES
    assert len(timeline.arrows) == len(EDGES)
    for arrow in timeline.arrows:
        source, target = timeline.node(arrow.source), timeline.node(arrow.target)
        assert arrow.path.startswith(f"M{source.center_x:g},{source.bottom:g} C")
        assert arrow.path.endswith(f" {target.center_x:g},{target.y:g}")


def test_arrows_from_completed_modules_are_marked_done():
    timeline = layout_timeline(bien_vivre_entries(M1={"status": "completed"}))
    done = {(arrow.source, arrow.target) for arrow in timeline.arrows if arrow.is_done}
    assert done == {("M1", "M2")}


def test_each_rank_is_dated_by_its_earliest_opening():
    early, late = datetime(2026, 3, 2, 8, tzinfo=UTC), datetime(2026, 3, 9, 8, tzinfo=UTC)
    timeline = layout_timeline(bien_vivre_entries(M3={"opens_at": late}, M4={"opens_at": early}))
    ranks = {rank.codes: rank for rank in timeline.ranks}
    assert ranks[("M3", "M4")].opens_at == early
    assert ranks[("M1",)].opens_at is None
    assert ranks[("M3", "M4")].y == timeline.node("M3").y + CARD_HEIGHT / 2


@pytest.mark.parametrize(
    ("status", "done", "stage"),
    [
        ("open", 0, "open"),
        ("open", 2, "in-progress"),
        ("completed", 3, "completed"),
        ("locked", 0, "locked"),
        ("locked", 1, "locked"),
    ],
)
def test_the_stage_refines_the_state_with_in_progress(status, done, stage):
    assert module_stage(status, done) == stage
    entry = TimelineEntry("M1", "Titre", status, lessons_done=done, lessons_total=3)
    assert layout_timeline([entry]).node("M1").stage == stage


def test_the_progress_bar_fills_in_proportion_and_stays_inside():
    assert progress_width(1, 4, 200) == 50
    assert progress_width(4, 4, 200) == 200
    assert progress_width(9, 4, 200) == 200
    assert progress_width(0, 0, 200) == 0
    assert progress_width(-1, 4, 200) == 0
    entry = TimelineEntry("M1", "Titre", "open", lessons_done=1, lessons_total=2)
    node = layout_timeline([entry]).node("M1")
    assert 0 < node.bar_width < node.width


def test_titles_wrap_on_two_lines_at_most_and_say_when_they_are_cut():
    assert wrap_title("Créer des alliances inédites") == ("Créer des alliances inédites",)
    lines = wrap_title("Le bien-vivre : sens, vision et posture de l'entrepreneur·e", width=20)
    assert lines == ("Le bien-vivre :", "sens, vision et…")
    assert all(len(line) <= 20 for line in lines)
    assert wrap_title("Anticonstitutionnellement", width=10) == ("Anticonst…",)
    assert wrap_title("") == ()


def test_a_cycle_is_refused_and_an_empty_path_gives_an_empty_picture():
    with pytest.raises(CycleError):
        layout_timeline(
            [TimelineEntry("A", "a", "open", ("B",)), TimelineEntry("B", "b", "open", ("A",))]
        )
    empty = layout_timeline([])
    assert (empty.nodes, empty.arrows, empty.ranks) == ((), (), ())
