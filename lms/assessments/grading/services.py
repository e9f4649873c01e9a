"""Grading use cases: start, save (optimistic lock), release, return for revision.

Every accepted change is recorded in the grade's history (``lms.assessments.grading.history``).
A save refused because somebody else changed the grade since it was read raises
``GradeConflict``; the caller rolls back, then records the refused attempt with
``history.record_rejected_save`` so that the history keeps it too.

Services flush, never commit; e-mails are sent by the caller after the commit
(``lms.assessments.grading.notify``), so that nobody hears of a change that was rolled back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.assessments.assignments.services import can_return
from lms.assessments.grading.history import (
    last_change,
    log_state_change,
    record_event,
    snapshot,
    state_word,
)
from lms.assessments.models import (
    Assessment,
    AssessmentKind,
    Criterion,
    Grade,
    GradeChoice,
    GradeRelease,
    GradeState,
    Rubric,
    RubricLevel,
    Submission,
    SubmissionState,
)
from lms.assessments.registry import max_score_of
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.time import utcnow
from lms.core.transactions import DomainError
from lms.extensions import db

EDITABLE = (GradeState.GRADING, GradeState.GRADED)


class GradingError(DomainError):
    """A grading request that cannot be done; the message says why."""


class ChoiceErrors(GradingError):
    """Some chosen levels are invalid or missing: ``errors`` maps criterion ids to messages."""

    def __init__(self, errors: dict[int, str]) -> None:
        super().__init__(_("Some criteria need a valid level."))
        self.errors = errors


class GradeConflict(GradingError):
    """Somebody else saved the grade since it was read (who and when, once known)."""

    def __init__(self, changed_by: User | None = None, changed_at: datetime | None = None):
        super().__init__(_("Somebody else changed this grade since you opened it."))
        self.changed_by = changed_by
        self.changed_at = changed_at


def start_grading(
    grader: User,
    submission: Submission | None = None,
    *,
    learner: User | None = None,
    assessment: Assessment | None = None,
) -> Grade:
    """Return the grade of a submission (or of a learner's evaluation), creating it if needed."""
    if (submission.assessment if submission is not None else assessment).is_marked:
        raise GradingError(_("This work is marked independently: see the marking pages."))
    if submission is not None:
        learner, assessment = submission.user, submission.assessment
        if submission.state == SubmissionState.RETURNED:
            raise GradingError(_("This version was returned for revision: grade the next one."))
        if _is_superseded(submission):
            raise GradingError(_("The learner submitted a newer version: grade that one."))
    elif assessment is None or learner is None or assessment.kind != AssessmentKind.EVALUATION:
        raise GradingError(_("Only evaluations are graded without a submission."))
    found = _existing_grade(assessment, learner, submission)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            grade = _new_grade(grader, assessment, learner, submission)
    except IntegrityError:  # another trainer started the same grade at the same moment
        return _existing_grade(assessment, learner, submission)
    log_state_change(grader, grade, None, GradeState.GRADING)
    return grade


def _is_superseded(submission: Submission) -> bool:
    """Tell whether the learner submitted a later version of the same assignment."""
    query = db.select(Submission.id).where(
        Submission.assessment_id == submission.assessment_id,
        Submission.user_id == submission.user_id,
        Submission.version > submission.version,
    )
    return db.session.scalar(query.limit(1)) is not None


def _existing_grade(assessment: Assessment, learner: User, submission: Submission | None):
    """Return the grade of this submission, or of this learner's evaluation."""
    if submission is not None:
        return db.session.scalar(db.select(Grade).filter_by(submission_id=submission.id))
    return db.session.scalar(
        db.select(Grade).filter_by(
            assessment_id=assessment.id, learner_id=learner.id, submission_id=None
        )
    )


def _new_grade(grader: User, assessment: Assessment, learner: User, submission) -> Grade:
    """Create a grade in progress with its first history event."""
    grade = Grade(
        assessment=assessment,
        learner=learner,
        submission=submission,
        grader=grader,
        state=GradeState.GRADING,
        max_score=max_score_of(assessment),
        feedback="",
    )
    db.session.add(grade)
    db.session.flush()
    record_event(grader, grade, "grade.start", None, snapshot(grade))
    return grade


def save_grade(
    grader: User,
    grade: Grade,
    *,
    expected_version: int,
    choices: Mapping[int, int],
    feedback: str,
    finish: bool = False,
) -> Grade:
    """Save the chosen levels and feedback; with ``finish``, mark the grade graded."""
    if grade.assessment.is_marked:
        raise GradingError(_("This work is marked independently: see the marking pages."))
    if grade.state not in EDITABLE:
        raise GradingError(
            _(
                "This grade is %(state)s: it can no longer be changed.",
                state=state_word(grade.state),
            )
        )
    if expected_version != grade.version_id:
        who, when = last_change(grade)
        raise GradeConflict(who, when)
    levels = _checked_levels(grade.assessment.rubric, choices, finish)
    before = snapshot(grade)
    _apply(grade, grader, levels, feedback, finish)
    try:
        db.session.flush()
    except StaleDataError as error:  # saved by somebody else between our read and our write
        raise GradeConflict() from error
    after = snapshot(grade)
    record_event(grader, grade, "grade.finish" if finish else "grade.save", before, after)
    if before["state"] != after["state"] or before["score"] != after["score"]:
        log_state_change(grader, grade, before, grade.state)
    if finish and cohort_released(grade):
        release_grade(grader, grade)
    return grade


def _checked_levels(rubric: Rubric, choices: Mapping[int, int], finish: bool):
    """Return {criterion: level} for the choices; raise ChoiceErrors naming each bad one."""
    criteria = {criterion.id: criterion for criterion in rubric.criteria}
    if finish and not criteria:
        raise GradingError(_("This rubric has no criteria: it cannot give a score."))
    errors: dict[int, str] = {}
    levels: dict[Criterion, RubricLevel] = {}
    for criterion_id, level_id in choices.items():
        criterion = criteria.get(criterion_id)
        level = (
            next((lv for lv in criterion.levels if lv.id == level_id), None) if criterion else None
        )
        if criterion is None:
            errors[criterion_id] = _("This criterion is not part of the rubric.")
        elif level is None:
            errors[criterion_id] = _("Choose one of this criterion's levels.")
        else:
            levels[criterion] = level
    if finish:
        for criterion_id, criterion in criteria.items():
            if criterion not in levels and criterion_id not in errors:
                errors[criterion_id] = _(
                    "Choose a level for this criterion before marking it graded."
                )
    if errors:
        raise ChoiceErrors(errors)
    return levels


def _apply(grade: Grade, grader: User, levels: dict, feedback: str, finish: bool) -> None:
    """Write the choices, score, pass and state on the grade (always an UPDATE: version bump)."""
    chosen = {criterion.id: level for criterion, level in levels.items()}
    grade.choices = [choice for choice in grade.choices if choice.criterion_id in chosen]
    existing = {choice.criterion_id: choice for choice in grade.choices}
    for criterion_id, level in chosen.items():
        if criterion_id in existing:
            existing[criterion_id].level_id = level.id
        else:
            grade.choices.append(GradeChoice(criterion_id=criterion_id, level_id=level.id))
    rubric = grade.assessment.rubric
    complete = bool(chosen) and len(chosen) == len(rubric.criteria)
    grade.max_score = rubric.max_points
    grade.score = sum(level.points for level in chosen.values()) if chosen else None
    grade.passed = (
        (grade.score * 100 >= grade.assessment.pass_mark_percent * grade.max_score)
        if complete
        else None
    )
    grade.feedback = (feedback or "").replace("\r\n", "\n").strip()
    grade.grader = grader
    grade.updated_at = utcnow()
    if finish:
        grade.state = GradeState.GRADED
    elif grade.state == GradeState.GRADED and not complete:
        grade.state = GradeState.GRADING


def release_grade(actor: User, grade: Grade) -> Grade:
    """Release a graded grade to its learner."""
    if grade.state == GradeState.RELEASED:
        raise GradingError(_("This grade is already released."))
    if grade.state != GradeState.GRADED:
        raise GradingError(_("Only a graded work can be released: mark it graded first."))
    return _set_state(actor, grade, GradeState.RELEASED, "grade.release")


def release_for_cohort(actor: User, assessment: Assessment, cohort: Cohort) -> list[Grade]:
    """Release the assessment to the cohort: every graded grade now, later ones once graded."""
    if assessment.path_id != cohort.path_id:
        raise GradingError(_("This assessment is not part of the cohort's path."))
    found = db.session.scalar(
        db.select(GradeRelease).filter_by(assessment_id=assessment.id, cohort_id=cohort.id)
    )
    if found is None:
        db.session.add(GradeRelease(assessment=assessment, cohort=cohort, released_by=actor))
        record_audit_event(
            actor, "grade.release_cohort", cohort, after={"assessment": assessment.code}
        )
    learners = db.select(Membership.user_id).filter_by(
        cohort_id=cohort.id, role=MembershipRole.LEARNER
    )
    graded = db.session.scalars(
        db.select(Grade)
        .where(Grade.assessment_id == assessment.id, Grade.learner_id.in_(learners))
        .where(Grade.state == GradeState.GRADED)
        .options(selectinload(Grade.choices))
        .order_by(Grade.id)
    ).all()
    return [_set_state(actor, grade, GradeState.RELEASED, "grade.release") for grade in graded]


def return_for_revision(actor: User, grade: Grade, feedback: str) -> Grade:
    """Send the work back to the learner, who may then submit a new version (a new attempt).

    Refused for the last attempt the assignment allows (``max_attempts``): see
    ``lms.assessments.assignments.services``.
    """
    if grade.submission is None:
        raise GradingError(_("An evaluation has no submitted work to return."))
    if grade.assessment.is_marked:
        raise GradingError(_("This work is marked independently: see the marking pages."))
    if grade.state not in EDITABLE:
        raise GradingError(
            _(
                "This grade is %(state)s: it can no longer be returned.",
                state=state_word(grade.state),
            )
        )
    if not can_return(grade.submission):
        raise GradingError(
            _(
                "This is the learner's last attempt (%(n)d of %(max)d): it cannot be returned "
                "for revision. Grade it as it is.",
                n=grade.submission.attempt,
                max=grade.assessment.max_attempts,
            )
        )
    feedback = (feedback or "").replace("\r\n", "\n").strip()
    if not feedback:
        raise GradingError(_("Say what to revise in the feedback before returning the work."))
    before = snapshot(grade)
    grade.feedback = feedback
    grade.submission.state = SubmissionState.RETURNED
    return _set_state(actor, grade, GradeState.RETURNED, "grade.return", before)


def _set_state(
    actor: User, grade: Grade, state: GradeState, action: str, before: dict | None = None
) -> Grade:
    """Move the grade to ``state``, with its history event, audit and log line.

    ``before``: the grade's snapshot taken before the caller changed it, if it did. Nothing is
    read from the database between a change and the flush below (a read would flush first,
    outside the ``try`` that turns a concurrent save into a ``GradeConflict``).
    """
    if before is None:
        before = snapshot(grade)
    grade.state = state
    if state == GradeState.RELEASED:
        grade.released_at = utcnow()
    grade.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError as error:
        raise GradeConflict() from error
    record_event(actor, grade, action, before, snapshot(grade))
    log_state_change(actor, grade, before, state)
    return grade


def cohort_released(grade: Grade) -> bool:
    """Tell whether the grade's assessment was released to a cohort of its learner."""
    query = (
        db.select(GradeRelease.id)
        .join(Membership, Membership.cohort_id == GradeRelease.cohort_id)
        .where(
            GradeRelease.assessment_id == grade.assessment_id,
            Membership.user_id == grade.learner_id,
            Membership.role == MembershipRole.LEARNER,
        )
        .limit(1)
    )
    return db.session.scalar(query) is not None
