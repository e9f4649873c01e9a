"""The learner sees a grade and its feedback only once it is released (SECURITY.md C15)."""

from __future__ import annotations

from lms.assessments.models import Submission
from lms.extensions import db
from tests.assessments.assignments.conftest import submit
from tests.factories import GradeFactory, GradeReleaseFactory
from tests.web.helpers import text

FEEDBACK = "Carte très complète, bravo pour les acteurs économiques."


def graded_submission(setting, learner_client, **traits):
    """Submit a version, then grade it with the traits given (``graded``, ``released``)."""
    submit(learner_client, setting.assignment, "Ma carte.")
    submission = db.session.scalar(db.select(Submission).filter_by(user_id=setting.learner.id))
    return GradeFactory(submission=submission, feedback=FEEDBACK, **traits)


def learner_page(setting, learner_client) -> str:
    return learner_client.get(f"/assessments/{setting.assignment.id}/assignment").get_data(
        as_text=True
    )


def test_a_grade_in_progress_or_graded_is_invisible(setting, learner_client):
    grade = graded_submission(setting, learner_client)
    for state in ("grading", "graded"):
        if state == "graded":
            grade.state, grade.score, grade.passed = "graded", 0, True
            db.session.commit()
        body = learner_page(setting, learner_client)
        assert FEEDBACK not in body
        assert text("Your result") not in body


def test_a_released_grade_shows_its_score_and_feedback(setting, learner_client):
    graded_submission(setting, learner_client, released=True)
    body = learner_page(setting, learner_client)
    assert text("Your result") in body
    assert FEEDBACK in body


def test_a_release_for_the_cohort_shows_graded_work(setting, learner_client):
    graded_submission(setting, learner_client, graded=True)
    GradeReleaseFactory(assessment=setting.assignment, cohort=setting.bien_vivre.cohort)
    assert FEEDBACK in learner_page(setting, learner_client)
