"""The one access check of learner assessment pages, and the staff check of cohort pages."""

from __future__ import annotations

import pytest
from flask_login import login_user
from werkzeug.exceptions import HTTPException

from lms.assessments.access import learner_assessment_or_403
from lms.assessments.registry import ASSESSMENT_TYPES, learner_url
from lms.cohorts.access import staff_cohort_or_403
from tests.factories import AssessmentFactory, MembershipFactory, UserFactory
from tests.learning.helpers import make_bien_vivre_path


def _answer(app, user, function, *args):
    """Call ``function`` in a request as ``user`` (None: anonymous); return its result or error."""
    with app.test_request_context("/"):
        if user is not None:
            login_user(user)
        try:
            return function(*args)
        except HTTPException as error:
            return error


def _status(answer) -> int:
    """Return the status code an access check's refusal carries (a redirect or an error)."""
    return answer.response.status_code if answer.response is not None else answer.code


@pytest.fixture
def world():
    """Return the path with M1, M2 open, M3 in the future; an assessment in M2 and in M3."""
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2"), future=("M3",))
    bien_vivre.open_quiz = AssessmentFactory(module=bien_vivre.modules["M2"], quiz=True)
    bien_vivre.locked_quiz = AssessmentFactory(module=bien_vivre.modules["M3"], quiz=True)
    return bien_vivre


def test_a_learner_opens_an_assessment_of_an_open_module(app, world):
    """Return the assessment with its module, the learner's cohort and the module's state."""
    learner = world.enrol_learner(completed=("M1",))
    access = _answer(app, learner, learner_assessment_or_403, world.open_quiz.id)
    assert access.assessment == world.open_quiz
    assert access.module == world.modules["M2"]
    assert access.cohort == world.cohort
    assert access.state.is_open


def test_a_locked_module_answers_the_locked_page(app, world):
    """Answer 403 with the page that says why the module is locked."""
    learner = world.enrol_learner(completed=("M1",))
    answer = _answer(app, learner, learner_assessment_or_403, world.locked_quiz.id)
    assert _status(answer) == 403
    assert "M3 is not open to you yet" in answer.response.get_data(as_text=True)


def test_unknown_assessments_and_other_paths_answer_404(app, world):
    """Answer 404 for an unknown assessment or one of a path the learner does not follow."""
    learner = world.enrol_learner(completed=("M1",))
    elsewhere = AssessmentFactory(quiz=True)
    assert _answer(app, learner, learner_assessment_or_403, 999_999).code == 404
    assert _answer(app, learner, learner_assessment_or_403, elsewhere.id).code == 404


def test_anonymous_visitors_go_to_the_login_page(app, world):
    """Redirect anonymous visitors to the login page, whatever the assessment."""
    answer = _answer(app, None, learner_assessment_or_403, world.open_quiz.id)
    assert answer.response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("who", ["trainer", "admin", "nobody"])
def test_people_who_are_not_learners_get_403(app, world, who):
    """Refuse trainers, administrators and people without a cohort with 403."""
    user = UserFactory(admin=who == "admin")
    if who == "trainer":
        MembershipFactory(user=user, cohort=world.cohort, trainer=True)
    assert _status(_answer(app, user, learner_assessment_or_403, world.open_quiz.id)) == 403


def test_staff_cohort_lets_trainers_of_the_cohort_and_admins_in(app, world):
    """Return the cohort to its trainers and administrators; 403 for others, 404 if unknown."""
    trainer, admin, learner = UserFactory(), UserFactory(admin=True), world.enrol_learner()
    MembershipFactory(user=trainer, cohort=world.cohort, trainer=True)
    assert _answer(app, trainer, staff_cohort_or_403, world.cohort.id) == world.cohort
    assert _answer(app, admin, staff_cohort_or_403, world.cohort.id) == world.cohort
    assert _status(_answer(app, learner, staff_cohort_or_403, world.cohort.id)) == 403
    assert _answer(app, admin, staff_cohort_or_403, 999_999).code == 404


def test_each_kind_names_its_learner_page(app, world):
    """Give each kind its endpoint; link an assessment only when that page exists."""
    assert {kind: t.endpoint for kind, t in ASSESSMENT_TYPES.items()} == {
        "quiz": "quizzes.show",
        "assignment": "assignments.show",
        "evaluation": "grading.evaluation",
    }
    with app.test_request_context("/"):
        url = learner_url(world.open_quiz)
    if "quizzes.show" in app.view_functions:
        assert url == f"/assessments/{world.open_quiz.id}/quiz"
    else:
        assert url is None
