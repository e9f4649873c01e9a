"""Who marks what: balanced automatic allocation, manual changes, the third reader.

A work (a submission, or a learner × evaluation) has ONE ``Grade``; its markings hang on it.
Automatic allocation picks, for each declared marking (first, second) and for the third reader,
one eligible person of the pool: the cohort's trainers, or its active external assessors. It
takes the person with the fewest open markings (allocated or in progress, every work counted),
then the lowest id; never the learner, never somebody who already marks that work (the database
refuses it too: unique (grade, marker)).

Allocating a work twice at once: allocations of one assessment take its row lock
(``lock_row_for_update``: FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite), so the second
request finds the rows of the first and raises ``AllocationConflict`` (answered 409); the
unique keys (grade, role) and (grade, marker) stay as the last guard.

Every allocation appends a ``GradeEvent`` whose actor is the marker (``marking.allocate``,
``marking.reallocate``); who allocated is in its payload.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.assessments.grading.history import record_event
from lms.assessments.models import (
    Assessment,
    Grade,
    GradeState,
    MarkerPool,
    Marking,
    MarkingRole,
    MarkingState,
    Submission,
)
from lms.assessments.registry import max_score_of
from lms.cohorts.access import active_assessor_ids
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.db import lock_row_for_update
from lms.core.transactions import DomainError
from lms.extensions import db

OPEN_STATES = (MarkingState.ALLOCATED, MarkingState.IN_PROGRESS)


class MarkingError(DomainError):
    """A marking request that cannot be done; the message says why."""


class AllocationConflict(MarkingError):
    """Somebody allocated (or changed) this marking at the same time (answered 409)."""

    def __init__(self) -> None:
        super().__init__(
            _("Someone else changed this allocation at the same time: reload the page.")
        )


def pool_ids(pool: MarkerPool, cohort_id: int) -> Select:
    """Return the ids of the people of a pool in a cohort: its trainers or external assessors."""
    if pool == MarkerPool.TRAINER:
        return db.select(Membership.user_id).where(
            Membership.cohort_id == cohort_id, Membership.role == MembershipRole.TRAINER
        )
    return active_assessor_ids(cohort_id)


def is_in_pool(user: User, pool: MarkerPool, cohort_id: int) -> bool:
    """Tell whether ``user`` belongs to the pool in the cohort (one query)."""
    query = pool_ids(pool, cohort_id).subquery()
    return (
        db.session.scalar(db.select(func.count()).select_from(query).where(query.c[0] == user.id))
        > 0
    )


def candidates(pool: MarkerPool, cohort_id: int, excluded: set[int]) -> list[tuple[int, int]]:
    """Return (user id, open markings) of the pool's people, fewest open markings first."""
    open_count = (
        db.select(func.count(Marking.id))
        .where(Marking.marker_id == User.id, Marking.state.in_(OPEN_STATES))
        .scalar_subquery()
    )
    query = (
        db.select(User.id, open_count)
        .where(User.id.in_(pool_ids(pool, cohort_id)), User.is_active.is_(True))
        .order_by(open_count, User.id)
    )
    return [(uid, count) for uid, count in db.session.execute(query) if uid not in excluded]


def work_grade(
    assessment: Assessment, learner: User, submission: Submission | None
) -> tuple[Grade, bool]:
    """Return the work's one grade, creating it (no grader, nothing visible) if needed."""
    query = db.select(Grade)
    if submission is not None:
        query = query.filter_by(submission_id=submission.id)
    else:
        query = query.filter_by(
            assessment_id=assessment.id, learner_id=learner.id, submission_id=None
        )
    grade = db.session.scalar(query)
    if grade is not None:
        return grade, False
    grade = Grade(
        assessment=assessment,
        learner=learner,
        submission=submission,
        state=GradeState.GRADING,
        max_score=max_score_of(assessment),
        feedback="",
    )
    db.session.add(grade)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # opened by a simultaneous allocation
        raise AllocationConflict() from error
    return grade, True


def allocate_work(
    actor: User | None,
    cohort: Cohort,
    assessment: Assessment,
    learner: User,
    submission: Submission | None = None,
    *,
    refuse_done: bool = True,
) -> list[Marking]:
    """Allocate every declared marking of a work not allocated yet; return the new markings.

    ``refuse_done``: raise ``AllocationConflict`` when nothing was left to allocate (a second
    "allocate" click, or another person's allocation that won the race).
    """
    if not assessment.is_marked:
        raise MarkingError(_("This assessment is graded by one trainer: nothing to allocate."))
    # One allocation of an assessment's work at a time: a simultaneous one then finds this one's
    # rows (and answers AllocationConflict) instead of failing on a unique key.
    lock_row_for_update(db.session, Assessment, assessment.id)
    made = fill_work(actor, cohort, assessment, learner, submission)
    if not made and refuse_done:
        raise AllocationConflict()
    return made


def fill_work(
    actor: User | None,
    cohort: Cohort,
    assessment: Assessment,
    learner: User,
    submission: Submission | None,
) -> list[Marking]:
    """Allocate the work's missing declared markings (the caller holds the assessment's lock)."""
    grade, _created = work_grade(assessment, learner, submission)
    existing = _markings_of(grade)
    roles = [MarkingRole.FIRST, MarkingRole.SECOND][: len(assessment.marker_pools)]
    missing = [
        (role, pool)
        for role, pool in zip(roles, assessment.marker_pools, strict=True)
        if role not in {m.role for m in existing}
    ]
    if not missing:
        return []
    excluded = {learner.id} | {m.marker_id for m in existing}
    made = []
    for role, pool in missing:
        found = candidates(pool, cohort.id, excluded)
        if not found:
            raise MarkingError(_no_one_message(pool))
        marker_id = found[0][0]
        excluded.add(marker_id)
        made.append(_new_marking(actor, grade, db.session.get(User, marker_id), role, pool))
    return made


def _no_one_message(pool: MarkerPool) -> str:
    if pool == MarkerPool.EXTERNAL:
        return _("No external assessor of the cohort is available to mark this work.")
    return _("No other trainer of the cohort is available to mark this work.")


def _markings_of(grade: Grade) -> list[Marking]:
    """Return the grade's markings as the database holds them now."""
    return list(
        db.session.scalars(
            db.select(Marking)
            .filter_by(grade_id=grade.id)
            .order_by(Marking.id)
            .execution_options(populate_existing=True)
        )
    )


def _new_marking(actor, grade: Grade, marker: User, role: MarkingRole, pool) -> Marking:
    """Add one marking and its history event (actor: the marker; who allocated: in the event)."""
    marking = Marking(
        grade=grade, marker=marker, role=role, pool=pool, allocated_by=actor, feedback=""
    )
    db.session.add(marking)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise AllocationConflict() from error
    record_event(
        marker,
        grade,
        "marking.allocate",
        None,
        {"role": str(role), "pool": str(pool), "by": actor.id if actor else None},
    )
    return marking


def marks_work(user: User, grade: Grade) -> bool:
    """Tell whether ``user`` is allocated any marking of this work (one query)."""
    query = db.select(Marking.id).filter_by(grade_id=grade.id, marker_id=user.id).limit(1)
    return db.session.scalar(query) is not None


def allocate_submission(submission: Submission, cohort: Cohort) -> list[Marking]:
    """Allocate the markers of a just-submitted version of a marked assignment (automatic)."""
    if not submission.assessment.is_marked:
        return []
    return allocate_work(
        None, cohort, submission.assessment, submission.user, submission, refuse_done=False
    )


def allocate_third_reader(grade: Grade, cohort: Cohort) -> Marking:
    """Allocate the third reader of a disagreement: balanced in its pool, neither marker."""
    assessment = grade.assessment
    existing = _markings_of(grade)
    excluded = {grade.learner_id} | {m.marker_id for m in existing}
    found = candidates(assessment.third_reader_pool, cohort.id, excluded)
    if not found:
        raise MarkingError(_("No third reader is available in the cohort: allocate one by hand."))
    marker = db.session.get(User, found[0][0])
    return _new_marking(None, grade, marker, MarkingRole.THIRD, assessment.third_reader_pool)


def reallocate(
    actor: User, marking: Marking, marker: User, cohort: Cohort, *, expected_version: int
) -> Marking:
    """Give a marking not submitted yet to another eligible person; its draft is cleared."""
    if marking.state == MarkingState.SUBMITTED:
        raise MarkingError(_("This marking is submitted: it can no longer be reallocated."))
    if expected_version != marking.version_id:
        raise AllocationConflict()
    grade = marking.grade
    if marker.id == grade.learner_id:
        raise MarkingError(_("A learner cannot mark their own work."))
    if any(other.marker_id == marker.id for other in _markings_of(grade) if other.id != marking.id):
        raise MarkingError(_("This person already marks this work: choose someone else."))
    if not is_in_pool(marker, marking.pool, cohort.id):
        raise MarkingError(_("This person may not mark this work (not in the marking's pool)."))
    before = {"marker": marking.marker_id}
    marking.marker = marker
    marking.allocated_by = actor
    marking.state = MarkingState.ALLOCATED
    marking.choices = []
    marking.feedback = ""
    marking.score = None
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError) as error:
        raise AllocationConflict() from error
    record_event(
        marker, grade, "marking.reallocate", before, {"role": str(marking.role), "by": actor.id}
    )
    return marking
