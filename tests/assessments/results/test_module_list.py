"""The module page lists its assessments: kind, requirement, deadline, status, link; no result
before release."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lms.assessments.models import GradeState, SubmissionState
from lms.assessments.registry import type_of
from lms.assessments.results.learner import LearnerStatus, module_assessment_lines
from lms.cohorts.models import ModuleCalendar
from lms.extensions import db
from tests.assessments.results.helpers import assignment, grade, pass_quiz
from tests.factories import (
    AssessmentFactory,
    DeadlineExtensionFactory,
    QuizAttemptFactory,
    SubmissionFactory,
)
from tests.learning.helpers import make_bien_vivre_path
from tests.web.helpers import log_in


def item_of(html: str, code: str) -> str:
    """Return the list item of one assessment on the module page."""
    return re.search(rf'<li [^>]*data-assessment="{re.escape(code)}".*?</li>', html, re.S).group(0)


@pytest.fixture
def m1():
    """Return the path with M1 open, a quiz, an assignment and an evaluation in it, a learner."""
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    module = bien_vivre.modules["M1"]
    quiz = AssessmentFactory(module=module, quiz=True, code="M1-Q", title="Quiz du sens")
    work = assignment(module, code="M1-A", title="Carnet de posture", optional=True)
    oral = assignment(module, kind="evaluation", accepts_files=False, code="M1-E", title="Oral")
    return bien_vivre, bien_vivre.enrol_learner(), quiz, work, oral


def opening(bien_vivre):
    """Return when the cohort's calendar opens M1 (the module page knows it from its state)."""
    return db.session.scalar(
        db.select(ModuleCalendar.opens_at).filter_by(
            cohort_id=bien_vivre.cohort.id, module_id=bien_vivre.modules["M1"].id
        )
    )


def statuses(bien_vivre, learner) -> dict[str, LearnerStatus]:
    """Return assessment code -> the learner's status in M1."""
    lines = module_assessment_lines(learner, bien_vivre.modules["M1"], opening(bien_vivre))
    return {line.assessment.code: line.status for line in lines}


def test_nothing_done_reads_not_started(m1):
    """Start every assessment as not started, in the module's order."""
    bien_vivre, learner, *_rest = m1
    assert statuses(bien_vivre, learner) == dict.fromkeys(
        ("M1-Q", "M1-A", "M1-E"), LearnerStatus.NOT_STARTED
    )


def test_quiz_statuses(m1):
    """Read an open attempt as in progress, a failed one as not passed, a pass as passed."""
    bien_vivre, learner, quiz, *_rest = m1
    pass_quiz(learner, quiz, passed=False)
    assert statuses(bien_vivre, learner)["M1-Q"] == LearnerStatus.NOT_PASSED
    QuizAttemptFactory(assessment=quiz, user=learner, number=2)
    assert statuses(bien_vivre, learner)["M1-Q"] == LearnerStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (None, LearnerStatus.SUBMITTED),
        (GradeState.GRADING, LearnerStatus.AWAITING_GRADE),
        (GradeState.GRADED, LearnerStatus.AWAITING_GRADE),
        (GradeState.RETURNED, LearnerStatus.RETURNED),
        (GradeState.RELEASED, LearnerStatus.PASSED),
    ],
)
def test_assignment_statuses(m1, state, expected):
    """Follow the grading workflow, showing a result only once released."""
    bien_vivre, learner, _quiz, work, _oral = m1
    if state is None:
        SubmissionFactory(assessment=work, user=learner)
    else:
        grade(learner, work, state=state)
    assert statuses(bien_vivre, learner)["M1-A"] == expected


def test_a_returned_version_reads_returned_until_resubmitted(m1):
    """Read a returned submission as returned, and the next version as submitted."""
    bien_vivre, learner, _quiz, work, _oral = m1
    SubmissionFactory(assessment=work, user=learner, state=SubmissionState.RETURNED)
    assert statuses(bien_vivre, learner)["M1-A"] == LearnerStatus.RETURNED
    SubmissionFactory(assessment=work, user=learner, version=2)
    assert statuses(bien_vivre, learner)["M1-A"] == LearnerStatus.SUBMITTED


def test_evaluation_statuses(m1):
    """Read an evaluation being graded as awaiting, a released failed one as not passed."""
    bien_vivre, learner, _quiz, _work, oral = m1
    result = grade(learner, oral, state=GradeState.GRADED, passed=False)
    assert statuses(bien_vivre, learner)["M1-E"] == LearnerStatus.AWAITING_GRADE
    result.state, result.released_at = GradeState.RELEASED, result.updated_at
    db.session.commit()
    assert statuses(bien_vivre, learner)["M1-E"] == LearnerStatus.NOT_PASSED


def test_deadlines_follow_the_calendar_or_the_extension(m1):
    """Date a deadline from the module's opening plus due days, unless the learner has more."""
    bien_vivre, learner, quiz, work, _oral = m1
    quiz.due_days, work.due_days = 10, 3
    db.session.commit()
    opens_at = db.session.scalar(db.select(ModuleCalendar.opens_at))
    extension = DeadlineExtensionFactory(assessment=work, user=learner)
    lines = module_assessment_lines(learner, bien_vivre.modules["M1"], opening(bien_vivre))
    due = {line.assessment.code: line.due_at for line in lines}
    assert due == {"M1-Q": opens_at + timedelta(days=10), "M1-A": extension.due_at, "M1-E": None}


def test_a_missed_deadline_is_late_only_with_work_to_do(m1):
    """Mark late an assessment past its deadline and not handed in; not one handed in."""
    bien_vivre, learner, quiz, work, _oral = m1
    quiz.due_days = work.due_days = 0  # due when the module opened, yesterday
    db.session.commit()
    SubmissionFactory(assessment=work, user=learner)
    lines = module_assessment_lines(learner, bien_vivre.modules["M1"], opening(bien_vivre))
    assert {line.assessment.code: line.is_late for line in lines} == {
        "M1-Q": True,
        "M1-A": False,
        "M1-E": False,
    }


def test_the_module_page_lists_them(client, m1):
    """Show kind, requirement, status and a link to each assessment's own page."""
    bien_vivre, learner, quiz, work, oral = m1
    log_in(client, learner)
    html = client.get(f"/modules/{bien_vivre.modules['M1'].id}").get_data(as_text=True)
    quiz_item, work_item = item_of(html, "M1-Q"), item_of(html, "M1-A")
    assert "Quiz du sens" in quiz_item
    assert "Quiz · Required" in quiz_item
    assert "Assignment · Optional" in work_item
    assert "Not started" in work_item
    for assessment, page in ((quiz, "quiz"), (work, "assignment"), (oral, "evaluation")):
        link = f'href="/assessments/{assessment.id}/{page}"'
        assert (link in html) == (type_of(assessment).endpoint in client.application.view_functions)


def test_no_result_before_release_on_the_module_page(client, m1):
    """Show neither the score, the pass nor the feedback of a grade not released."""
    bien_vivre, learner, _quiz, work, _oral = m1
    result = grade(learner, work, state=GradeState.GRADED, passed=True)
    result.feedback, result.score = "Analyse remarquable du territoire", result.max_score
    db.session.commit()
    log_in(client, learner)
    page = f"/modules/{bien_vivre.modules['M1'].id}"
    item = item_of(client.get(page).get_data(as_text=True), "M1-A")
    assert "Awaiting grade" in item
    assert "Passed" not in item
    assert "remarquable" not in item
    result.state, result.released_at = GradeState.RELEASED, result.updated_at
    db.session.commit()
    item = item_of(client.get(page).get_data(as_text=True), "M1-A")
    assert "Passed" in item
    assert "remarquable" not in item


def count_list_queries(query_counter, assessments: int) -> int:
    """Build M1 with ``assessments`` of each kind, all worked on; count the list's queries."""
    bien_vivre = make_bien_vivre_path(codes=("M1",))
    module = bien_vivre.modules["M1"]
    learner = bien_vivre.enrol_learner()
    for _index in range(assessments):
        pass_quiz(learner, AssessmentFactory(module=module, quiz=True, due_days=3))
        grade(learner, assignment(module, due_days=3))
        grade(learner, assignment(module, kind="evaluation", accepts_files=False))
    opens_at = opening(bien_vivre)
    db.session.expire_all()
    for loaded in (learner, bien_vivre.cohort, module):
        db.session.refresh(loaded)
    with query_counter as queries:
        module_assessment_lines(learner, module, opens_at)
    return queries.count


def test_the_list_queries_do_not_grow_with_assessments(query_counter):
    """Read the list in a constant number of queries."""
    assert count_list_queries(query_counter, 1) == count_list_queries(query_counter, 6) <= 4
