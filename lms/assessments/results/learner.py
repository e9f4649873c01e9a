"""The learner's list of a module's assessments: kind, requirement, deadline and status.

A status never says more than the learner may know: a grade counts as passed or not passed only
once released (``lms.assessments.results.released``); before that the work reads "awaiting grade"
and the query does not even read the unreleased pass. No score or feedback is listed here: the
assessment's own page shows released results. The list costs six queries whatever the module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import case

from lms.accounts.models import User
from lms.assessments.deadlines import deadline_from
from lms.assessments.models import (
    Assessment,
    AssessmentKind,
    DeadlineExtension,
    Grade,
    GradeState,
    QuizAttempt,
    Submission,
    SubmissionState,
)
from lms.assessments.registry import type_of
from lms.assessments.results.released import is_released
from lms.core.time import utcnow
from lms.curriculum.models import Module
from lms.extensions import db


class LearnerStatus(StrEnum):
    """Where the learner stands in one assessment, as they may know it."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"  # a quiz attempt is open
    SUBMITTED = "submitted"  # handed in, no trainer has started grading
    AWAITING_GRADE = "awaiting_grade"  # being graded, or graded but not released
    PASSED = "passed"
    NOT_PASSED = "not_passed"
    RETURNED = "returned"  # returned for revision: a new version is expected


# Statuses in which the learner still has something to do before the deadline.
TO_DO = frozenset({LearnerStatus.NOT_STARTED, LearnerStatus.IN_PROGRESS, LearnerStatus.RETURNED})


def status_words() -> dict[LearnerStatus, str]:
    """Return each status in words (translated once per page)."""
    return {
        LearnerStatus.NOT_STARTED: _("Not started"),
        LearnerStatus.IN_PROGRESS: _("In progress"),
        LearnerStatus.SUBMITTED: _("Submitted"),
        LearnerStatus.AWAITING_GRADE: _("Awaiting grade"),
        LearnerStatus.PASSED: _("Passed"),
        LearnerStatus.NOT_PASSED: _("Not passed"),
        LearnerStatus.RETURNED: _("Returned for revision"),
    }


@dataclass(frozen=True)
class AssessmentLine:
    """One assessment of the module as its learner sees it in the list."""

    assessment: Assessment
    label: str  # the kind in words
    is_required: bool
    due_at: datetime | None
    status: LearnerStatus
    is_late: bool  # past the deadline with something still to do


def _quiz_statuses(learner: User, ids: Sequence[int]) -> dict[int, LearnerStatus]:
    """Return the status of each quiz the learner attempted (one query)."""
    rows = db.session.execute(
        db.select(QuizAttempt.assessment_id, QuizAttempt.submitted_at, QuizAttempt.passed).where(
            QuizAttempt.user_id == learner.id, QuizAttempt.assessment_id.in_(ids)
        )
    )
    statuses: dict[int, LearnerStatus] = {}
    rank = [LearnerStatus.NOT_PASSED, LearnerStatus.IN_PROGRESS, LearnerStatus.PASSED]
    for assessment_id, submitted_at, passed in rows:
        if submitted_at is None:
            status = LearnerStatus.IN_PROGRESS
        else:
            status = LearnerStatus.PASSED if passed else LearnerStatus.NOT_PASSED
        known = statuses.get(assessment_id)
        if known is None or rank.index(status) > rank.index(known):
            statuses[assessment_id] = status
    return statuses


def _grade_statuses(learner: User, ids: Sequence[int]) -> dict[int | None, tuple]:
    """Return (state, released, passed if released) by submission id; None: evaluations."""
    released = is_released()
    rows = db.session.execute(
        db.select(
            Grade.assessment_id,
            Grade.submission_id,
            Grade.state,
            released,
            case((released, Grade.passed), else_=None),  # never read before release
        ).where(Grade.learner_id == learner.id, Grade.assessment_id.in_(ids))
    )
    grades: dict = {}
    for assessment_id, submission_id, state, is_out, passed in rows:
        key = submission_id if submission_id is not None else ("evaluation", assessment_id)
        grades[key] = (state, bool(is_out), passed)
    return grades


def _graded_status(grade: tuple | None, nothing: LearnerStatus) -> LearnerStatus:
    """Say what a grade (state, released, passed) means to the learner."""
    if grade is None:
        return nothing
    state, released, passed = grade
    if state == GradeState.RETURNED:
        return LearnerStatus.RETURNED
    if released:
        return LearnerStatus.PASSED if passed else LearnerStatus.NOT_PASSED
    return LearnerStatus.AWAITING_GRADE


def _work_statuses(learner: User, assessments: Sequence[Assessment]) -> dict[int, LearnerStatus]:
    """Return the status of each assignment and evaluation (two queries)."""
    ids = [assessment.id for assessment in assessments]
    grades = _grade_statuses(learner, ids)
    latest: dict[int, tuple[int, int, SubmissionState]] = {}
    for row in db.session.execute(
        db.select(Submission.assessment_id, Submission.version, Submission.id, Submission.state)
        .where(Submission.user_id == learner.id, Submission.assessment_id.in_(ids))
        .order_by(Submission.version)
    ):
        latest[row.assessment_id] = (row.version, row.id, row.state)
    statuses = {}
    for assessment in assessments:
        if assessment.kind == AssessmentKind.EVALUATION:
            grade = grades.get(("evaluation", assessment.id))
            statuses[assessment.id] = _graded_status(grade, LearnerStatus.NOT_STARTED)
        elif assessment.id in latest:
            _version, submission_id, state = latest[assessment.id]
            nothing = (
                LearnerStatus.RETURNED
                if state == SubmissionState.RETURNED
                else LearnerStatus.SUBMITTED
            )
            statuses[assessment.id] = _graded_status(grades.get(submission_id), nothing)
    return statuses


def module_assessment_lines(
    learner: User, module: Module, opens_at: datetime | None, now: datetime | None = None
) -> list[AssessmentLine]:
    """Return the module's assessments, in order, with the learner's deadline and status.

    ``opens_at`` is when the learner's cohort calendar opens the module (None: not scheduled).
    """
    now = now or utcnow()
    rows = db.session.execute(
        db.select(Assessment, DeadlineExtension.due_at)
        .outerjoin(
            DeadlineExtension,
            (DeadlineExtension.assessment_id == Assessment.id)
            & (DeadlineExtension.user_id == learner.id),
        )
        .filter(Assessment.module_id == module.id)
        .order_by(Assessment.position)
    ).all()
    if not rows:
        return []
    assessments = [assessment for assessment, _extension in rows]
    deadlines = {a.id: deadline_from(a, extension, opens_at) for a, extension in rows}
    quizzes = [a.id for a in assessments if a.kind == AssessmentKind.QUIZ]
    statuses = _quiz_statuses(learner, quizzes) if quizzes else {}
    statuses |= _work_statuses(learner, [a for a in assessments if a.id not in quizzes])
    lines = []
    for assessment in assessments:
        status = statuses.get(assessment.id, LearnerStatus.NOT_STARTED)
        due_at = deadlines[assessment.id]
        lines.append(
            AssessmentLine(
                assessment=assessment,
                label=str(type_of(assessment).label),
                is_required=assessment.is_required,
                due_at=due_at,
                status=status,
                is_late=due_at is not None and now > due_at and status in TO_DO,
            )
        )
    return lines
