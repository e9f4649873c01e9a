"""M1's quiz of the shipped path, taken through the pages: pass, fail, and module completion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms.assessments.models import Assessment, QuizAttempt
from lms.assessments.registry import max_score_of
from lms.curriculum.models import Lesson
from lms.curriculum.services import load_path_file, shipped_path_file
from lms.extensions import db
from lms.learning.services import module_missing
from tests.factories import (
    CohortFactory,
    LessonCompletionFactory,
    MembershipFactory,
    ModuleCalendarFactory,
    UserFactory,
)
from tests.web.helpers import log_in, text


@pytest.fixture
def m1_quiz(client):
    """Load the shipped path, open M1 for a cohort, log a learner in; return M1's quiz."""
    path = load_path_file(shipped_path_file()).path
    cohort = CohortFactory(path=path)
    m1 = next(module for module in path.modules if module.code == "M1")
    ModuleCalendarFactory(cohort=cohort, module=m1, opens_at=datetime.now(UTC) - timedelta(1))
    learner = UserFactory()
    MembershipFactory(user=learner, cohort=cohort)
    for lesson in db.session.scalars(db.select(Lesson).filter_by(module_id=m1.id)):
        LessonCompletionFactory(user=learner, lesson=lesson)
    db.session.commit()
    log_in(client, learner)
    # M1-Q1, the module's own quiz (M1-Q0, the entry quiz, positions and counts for nothing).
    quiz = db.session.scalar(db.select(Assessment).filter_by(module_id=m1.id, code="M1-Q1"))
    return quiz, learner


def _take(client, quiz: Assessment, correct: bool) -> QuizAttempt:
    """Start an attempt and submit the correct (or only wrong) options of every question."""
    client.post(f"/assessments/{quiz.id}/quiz/attempts")
    attempt = db.session.scalar(db.select(QuizAttempt).filter_by(submitted_at=None))
    form = {
        f"question_{q.id}": [str(o.id) for o in q.options if o.is_correct == correct][
            : 1 if q.kind == "single" else None
        ]
        for q in quiz.questions
    }
    client.post(f"/assessments/{quiz.id}/quiz/attempts/{attempt.id}/submit", data=form)
    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt.id)


def test_m1_has_a_required_quiz_of_both_question_kinds(m1_quiz):
    quiz, _learner = m1_quiz
    assert quiz.is_required
    assert {q.kind for q in quiz.questions} == {"single", "multiple"}


def test_all_correct_answers_pass_the_quiz_and_satisfy_the_module(client, m1_quiz):
    quiz, learner = m1_quiz
    lacking = text("Pass the assessment “%(title)s”", title=quiz.title)
    assert lacking in [text(item) for item in module_missing(learner, quiz.module)]
    attempt = _take(client, quiz, correct=True)
    assert (attempt.score, attempt.passed) == (max_score_of(quiz), True)
    assert lacking not in [text(item) for item in module_missing(learner, quiz.module)]


def test_wrong_answers_fail_the_quiz_and_the_module_still_lacks_it(client, m1_quiz):
    quiz, learner = m1_quiz
    attempt = _take(client, quiz, correct=False)
    assert (attempt.score, attempt.passed) == (0, False)
    lacking = text("Pass the assessment “%(title)s”", title=quiz.title)
    assert lacking in [text(item) for item in module_missing(learner, quiz.module)]
