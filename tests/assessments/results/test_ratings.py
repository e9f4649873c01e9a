"""Competency ratings from released rubric grades, by the path's rule, with their evidence."""

from __future__ import annotations

import pytest

from lms.assessments.models import GradeState
from lms.assessments.results.services import rate_competencies
from lms.curriculum.models import RatingRule
from lms.extensions import db
from lms.learning.competencies import competency_profile
from tests.assessments.results.helpers import T0, assignment, grade, later, rubric_for
from tests.factories import GradeReleaseFactory
from tests.learning.competency_helpers import add_competencies
from tests.learning.helpers import make_bien_vivre_path
from tests.web.helpers import log_in


@pytest.fixture
def rated():
    """Return (path, learner, C1.1, three assignments of M1 whose rubric rates C1.1)."""
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    competency = add_competencies(bien_vivre.path)["C1.1"]
    rubric = rubric_for(bien_vivre.path, competency)
    works = [assignment(bien_vivre.modules["M1"], rubric, title=f"Travail {n}") for n in (1, 2, 3)]
    return bien_vivre, bien_vivre.enrol_learner(), competency, works


def rating_of(bien_vivre, learner, competency, rule: RatingRule):
    """Set the path's rule and return the learner's rating of ``competency`` (or None)."""
    bien_vivre.path.rating_rule = rule
    db.session.commit()
    return rate_competencies(bien_vivre.path, learners=[learner]).get((learner.id, competency.id))


def labels(view) -> list[str]:
    """Return the words of a rating's evidence."""
    return [item.label for item in view.evidence]


def grade_three(learner, works) -> None:
    """Release levels 3, then 4, then 1 (in that order of release) on the three works."""
    for work, level, day in zip(works, (3, 4, 1), (1, 2, 3), strict=True):
        grade(learner, work, level=level, released_at=later(day))


def test_latest_takes_the_last_released(rated):
    """Rate by the latest released grade, evidenced by it."""
    bien_vivre, learner, competency, works = rated
    grade_three(learner, works)
    view = rating_of(bien_vivre, learner, competency, RatingRule.LATEST)
    assert (view.level, view.rated_at) == (1, later(3))
    assert labels(view) == ["Travail 3 — Analyse: Niveau 1"]


def test_best_takes_the_highest_level(rated):
    """Rate by the highest level reached, evidenced by that grade."""
    bien_vivre, learner, competency, works = rated
    grade_three(learner, works)
    view = rating_of(bien_vivre, learner, competency, RatingRule.BEST)
    assert (view.level, view.rated_at, labels(view)) == (
        4,
        later(2),
        ["Travail 2 — Analyse: Niveau 4"],
    )


def test_mean_is_rounded_down(rated):
    """Rate by the mean of the levels, rounded down ((3 + 4 + 1) / 3 = 2.67 → 2)."""
    bien_vivre, learner, competency, works = rated
    grade_three(learner, works)
    view = rating_of(bien_vivre, learner, competency, RatingRule.MEAN)
    assert (view.level, view.rated_at) == (2, later(3))
    assert len(view.evidence) == 3


@pytest.mark.parametrize("state", [GradeState.GRADING, GradeState.GRADED, GradeState.RETURNED])
def test_unreleased_grades_never_count(rated, state):
    """Ignore every choice of a grade that is not released, whatever the rule."""
    bien_vivre, learner, competency, works = rated
    grade(learner, works[0], level=3, released_at=later(1))
    grade(learner, works[1], state=state, level=4)
    for rule in RatingRule:
        view = rating_of(bien_vivre, learner, competency, rule)
        assert (view.level, labels(view)) == (3, ["Travail 1 — Analyse: Niveau 3"])


def test_a_revised_work_replaces_its_earlier_grade(rated):
    """Count only the latest released grade of one assessment (the mean sees it once)."""
    bien_vivre, learner, competency, works = rated
    grade(learner, works[0], level=1, released_at=later(1))
    grade(learner, works[0], level=3, released_at=later(5))
    view = rating_of(bien_vivre, learner, competency, RatingRule.MEAN)
    assert (view.level, len(view.evidence)) == (3, 1)


def test_a_cohort_release_dates_the_rating(rated):
    """Rate a graded grade once its assessment is released to the cohort, dated by the release."""
    bien_vivre, learner, competency, works = rated
    grade(learner, works[0], state=GradeState.GRADED, level=4)
    assert rating_of(bien_vivre, learner, competency, RatingRule.LATEST) is None
    GradeReleaseFactory(assessment=works[0], cohort=bien_vivre.cohort, released_at=T0)
    view = rating_of(bien_vivre, learner, competency, RatingRule.LATEST)
    assert (view.level, view.rated_at) == (4, T0)


def test_ratings_are_per_learner(rated):
    """Answer each learner with their own grades only."""
    bien_vivre, learner, competency, works = rated
    other = bien_vivre.enrol_learner()
    grade(other, works[0], level=4)
    answer = rate_competencies(bien_vivre.path, learners=[learner, other])
    assert set(answer) == {(other.id, competency.id)}


def test_ratings_are_one_query_whatever_the_learners(rated, query_counter):
    """Read every learner's released choices in one query."""
    bien_vivre, learner, _competency, works = rated
    learners = [learner, *(bien_vivre.enrol_learner() for _ in range(5))]
    for index, each in enumerate(learners):
        grade(each, works[index % 3], level=3)
    db.session.expire_all()
    for loaded in (bien_vivre.path, *learners):  # the page has loaded them: count the service
        db.session.refresh(loaded)
    with query_counter as queries:
        answer = rate_competencies(bien_vivre.path, learners=learners)
    assert (queries.count, len(answer)) == (1, 6)


def test_the_profile_page_moves_when_a_grade_is_released(client, rated):
    """Show "no evidence yet" while the grade is graded, the level once it is released."""
    bien_vivre, learner, _competency, works = rated
    result = grade(learner, works[0], state=GradeState.GRADED, level=4)
    log_in(client, learner)
    before = client.get("/competencies").get_data(as_text=True)
    assert "Travail 1 — Analyse" not in before
    assert competency_profile(learner, bien_vivre.cohort).blocks[0].competencies[0].level is None
    result.state, result.released_at = GradeState.RELEASED, later(1)
    db.session.commit()
    after = client.get("/competencies").get_data(as_text=True)
    assert "Travail 1 — Analyse: Niveau 4" in after
    assert competency_profile(learner, bien_vivre.cohort).blocks[0].competencies[0].level == 4
