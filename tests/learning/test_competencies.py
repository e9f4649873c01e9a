"""The competency profile: levels against required levels, from the ratings signal."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lms.extensions import db
from lms.learning.competencies import (
    CompetencyLine,
    CompetencyStatus,
    cohort_competency_matrix,
    competency_profile,
)
from lms.learning.ratings import RatingView, merge_ratings
from lms.learning.signals import competency_ratings
from tests.factories import CompetencyBlockFactory
from tests.learning.competency_helpers import (
    SCALE,
    WHEN,
    add_competencies,
    rating,
    ratings_receiver,
)
from tests.learning.helpers import make_bien_vivre_path
from tests.learning.test_queries import add_learners

NOT_EVIDENCED = CompetencyStatus.NOT_EVIDENCED
INSUFFICIENT = CompetencyStatus.INSUFFICIENT
ATTAINED = CompetencyStatus.ATTAINED


@pytest.fixture
def world():
    """Return the §6 path with two blocks of competencies, its scale, and a learner."""
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    competencies = add_competencies(bien_vivre.path)
    return bien_vivre, competencies, bien_vivre.enrol_learner()


def statuses(profile) -> dict[str, tuple[int | None, CompetencyStatus]]:
    """Return code -> (level, status) of every competency of a profile."""
    return {line.code: (line.level, line.status) for line in profile.competencies}


def test_without_any_receiver_nothing_is_evidenced(world):
    bien_vivre, _competencies, learner = world
    profile = competency_profile(learner, bien_vivre.cohort)
    assert [block.code for block in profile.blocks] == ["BC1", "BC2"]
    assert [line.code for line in profile.blocks[0].competencies] == ["C1.1", "C1.2", "C1.3"]
    assert [line.required_level for line in profile.competencies] == [3, 2, 3, 3, 4]
    assert set(statuses(profile).values()) == {(None, NOT_EVIDENCED)}
    assert (profile.attained, profile.total) == (0, 5)
    assert [(step.value, step.label) for step in profile.scale] == list(SCALE)


def test_levels_below_at_and_above_the_required_level(world):
    bien_vivre, competencies, learner = world
    levels = {"C1.1": 2, "C1.2": 2, "C1.3": rating(4, WHEN, "M2 · Diagnostic", "M3 · Carte")}
    with competency_ratings.connected_to(ratings_receiver(competencies, levels)):
        profile = competency_profile(learner, bien_vivre.cohort)
    assert statuses(profile) == {
        "C1.1": (2, INSUFFICIENT),
        "C1.2": (2, ATTAINED),
        "C1.3": (4, ATTAINED),
        "C2.1": (None, NOT_EVIDENCED),
        "C2.2": (None, NOT_EVIDENCED),
    }
    first, second = profile.blocks
    assert (first.attained, first.total, second.attained, second.total) == (2, 3, 0, 2)
    c13 = profile.competencies[2]
    assert c13.rated_at == WHEN
    assert [item.label for item in c13.evidence] == ["M2 · Diagnostic", "M3 · Carte"]
    assert profile.label(c13.level) == "Maîtrisé"


def test_a_rating_at_level_zero_is_no_evidence(world):
    bien_vivre, competencies, learner = world
    with competency_ratings.connected_to(ratings_receiver(competencies, {"C1.1": 0})):
        profile = competency_profile(learner, bien_vivre.cohort)
    assert statuses(profile)["C1.1"] == (None, NOT_EVIDENCED)


def test_ratings_of_other_learners_and_paths_do_not_count(world):
    bien_vivre, competencies, learner = world
    other = bien_vivre.enrol_learner()

    def receiver(path, *, learners, **kwargs):
        # A careless receiver: answers for someone not asked and for an unknown competency.
        return {(other.id, competencies["C1.1"].id): rating(4), (learner.id, 10**9): rating(4)}

    with competency_ratings.connected_to(receiver):
        profile = competency_profile(learner, bien_vivre.cohort)
    assert set(statuses(profile).values()) == {(None, NOT_EVIDENCED)}


def test_the_receivers_are_asked_once_with_the_path_and_the_learner(world):
    bien_vivre, _competencies, learner = world
    calls = []

    def receiver(path, **kwargs):
        calls.append((path, kwargs))
        return {}

    with competency_ratings.connected_to(receiver):
        competency_profile(learner, bien_vivre.cohort)
        competency_profile(learner, bien_vivre.cohort, audience="staff")
    assert calls == [
        (bien_vivre.path, {"learners": [learner], "audience": None}),
        (bien_vivre.path, {"learners": [learner], "audience": "staff"}),
    ]


def test_several_receivers_merge_the_most_recent_rating_wins(world):
    bien_vivre, competencies, learner = world
    earlier, later = WHEN - timedelta(days=3), WHEN
    quizzes = ratings_receiver(competencies, {"C1.1": rating(4, earlier), "C2.1": rating(1)})
    rubrics = ratings_receiver(competencies, {"C1.1": rating(2, later), "C2.2": rating(4)})
    with competency_ratings.connected_to(quizzes), competency_ratings.connected_to(rubrics):
        profile = competency_profile(learner, bien_vivre.cohort)
    found = statuses(profile)
    assert found["C1.1"] == (2, INSUFFICIENT)  # the later rating, though lower
    assert found["C2.1"] == (1, INSUFFICIENT)
    assert found["C2.2"] == (4, ATTAINED)


@pytest.mark.parametrize("order", [1, -1])
def test_merge_rule_does_not_depend_on_the_order_of_the_receivers(order):
    dated, undated, tie_low, tie_high = rating(1), rating(4, None), rating(2), rating(3)
    answers = [("a", {(1, 1): dated, (1, 2): tie_low}), ("b", {(1, 1): undated, (1, 2): tie_high})]
    merged = merge_ratings(answers[::order])
    assert merged == {(1, 1): dated, (1, 2): tie_high}


def test_merge_keeps_an_undated_rating_when_it_is_the_only_one():
    assert merge_ratings([("a", {(1, 1): rating(2, None)})]) == {(1, 1): rating(2, None)}


@pytest.mark.parametrize(
    "answer",
    [{(1, 1): 3}, {(1, 1): {"level": 3}}, {1: rating(3)}, {("1", 1): rating(3)}, [rating(3)]],
)
def test_merge_refuses_an_answer_that_is_not_ratings(answer):
    def sloppy_receiver(path, **kwargs):
        return answer

    with pytest.raises(TypeError, match="sloppy_receiver"):
        merge_ratings([(sloppy_receiver, answer)])


def test_a_bad_answer_through_the_signal_names_the_receiver(world):
    bien_vivre, _competencies, learner = world

    def levels_as_numbers(path, *, learners, **kwargs):
        return {(learners[0].id, 1): 3}

    with (
        competency_ratings.connected_to(levels_as_numbers),
        pytest.raises(TypeError, match="levels_as_numbers"),
    ):
        competency_profile(learner, bien_vivre.cohort)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"level": -1}, "whole number"),
        ({"level": 2.5}, "whole number"),
        ({"level": True}, "whole number"),
        ({"level": 2, "rated_at": datetime(2025, 1, 1)}, "timezone-aware"),
        ({"level": 2, "evidence": "M1 quiz"}, "tuple of strings"),
        ({"level": 2, "evidence": (1,)}, "tuple of strings"),
        ({"level": 2, "evidence": (("M1", "javascript:alert(1)"),)}, "local URL"),
        ({"level": 2, "evidence": (("M1", "//evil.example/x"),)}, "local URL"),
        ({"level": 2, "evidence": (("M1", "/\\evil.example"),)}, "local URL"),
        ({"level": 2, "evidence": (("M1", "https://evil.example"),)}, "local URL"),
        ({"level": 2, "evidence": (("M1", "/a", "b"),)}, "local URL"),
    ],
)
def test_rating_view_refuses_bad_values(fields, message):
    with pytest.raises(ValueError, match=message):
        RatingView(**fields)


def test_status_of_a_line_compares_with_the_required_level():
    line = CompetencyLine(id=1, code="C", title="T", description="", required_level=3)
    assert line.status == NOT_EVIDENCED
    assert CompetencyLine(**{**line.__dict__, "level": 2}).status == INSUFFICIENT
    assert CompetencyLine(**{**line.__dict__, "level": 3}).status == ATTAINED


def test_a_block_without_competency_and_a_path_without_scale():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    add_competencies(bien_vivre.path, blocks={"BC1": (("C1.1", 2),)}, scale=())
    CompetencyBlockFactory(path=bien_vivre.path, code="BC9", title="Vide", position=9)
    profile = competency_profile(bien_vivre.enrol_learner(), bien_vivre.cohort)
    assert [(block.code, block.total) for block in profile.blocks] == [("BC1", 1), ("BC9", 0)]
    assert (profile.scale, profile.top, profile.label(2)) == ((), 2, "2")


def test_a_path_without_competencies_has_an_empty_profile():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    profile = competency_profile(bien_vivre.enrol_learner(), bien_vivre.cohort)
    assert (profile.blocks, profile.total, profile.top) == ((), 0, 1)


def test_cohort_matrix_asks_once_for_every_learner(world):
    bien_vivre, competencies, learner = world
    other = bien_vivre.enrol_learner()
    asked = []
    receiver = ratings_receiver(
        competencies, {"C1.1": 3}, only=lambda user: user.id == learner.id, asked=asked
    )
    with competency_ratings.connected_to(receiver):
        matrix = cohort_competency_matrix(bien_vivre.cohort)
    assert asked == [2]
    assert {user.id for user in matrix.learners} == {learner.id, other.id}
    assert statuses(matrix.profiles[learner.id])["C1.1"] == (3, ATTAINED)
    assert statuses(matrix.profiles[other.id])["C1.1"] == (None, NOT_EVIDENCED)


def test_cohort_matrix_of_an_empty_cohort_does_not_ask():
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    asked = []
    with competency_ratings.connected_to(ratings_receiver({}, {}, asked=asked)):
        matrix = cohort_competency_matrix(bien_vivre.cohort)
    assert (matrix.learners, asked) == ((), [])


def count_queries(query_counter, learners: int, service) -> int:
    """Build a cohort of this size with competencies; count the queries of ``service``."""
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    competencies = add_competencies(bien_vivre.path)
    add_learners(bien_vivre, learners)
    learner = bien_vivre.enrol_learner()
    cohort = bien_vivre.cohort
    db.session.expire_all()
    # The page has loaded these already: count the service's own queries only.
    for loaded in (learner, cohort, *competencies.values()):
        db.session.refresh(loaded)
    receiver = ratings_receiver(competencies, {"C1.1": 3})
    with competency_ratings.connected_to(receiver), query_counter as queries:
        service(learner, cohort)
    return queries.count


# The budgets count one query for the assessments' ratings receiver, connected with the app.
@pytest.mark.parametrize(
    ("service", "most"),
    [(competency_profile, 4), (lambda learner, cohort: cohort_competency_matrix(cohort), 5)],
    ids=["profile", "matrix"],
)
def test_query_count_does_not_grow_with_the_cohort(query_counter, service, most):
    small = count_queries(query_counter, 10, service)
    large = count_queries(query_counter, 200, service)
    assert small == large
    assert large <= most
