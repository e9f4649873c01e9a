"""The trainers' grading queue: submitted work and evaluations to record, in one query.

An item is a submission (assignments) or a learner × evaluation whose module is open in the
learner's cohort calendar (there is nothing to submit: the trainer records the result). Only
learners of the cohorts the user trains appear (administrators: every cohort). The two kinds are
one ``UNION ALL`` so that filtering, ordering (oldest first) and paging happen in the database:
the page costs the same few queries for 10 or 500 learners.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, and_, case, cast, func, literal, null, or_, union_all
from sqlalchemy.orm import aliased, joinedload

from lms.accounts.models import User
from lms.assessments.models import (
    Assessment,
    AssessmentKind,
    Grade,
    Submission,
)
from lms.cohorts.models import Cohort, Membership, MembershipRole, ModuleCalendar
from lms.core.time import utcnow
from lms.curriculum.models import Module
from lms.extensions import db

STATES = ("to_grade", "grading", "graded", "returned", "released")
NEEDS_WORK = ("to_grade", "to_record", "grading")
PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows: ids of a cohort, module and assessment, and a state (all optional)."""

    cohort_id: int | None = None
    module_id: int | None = None
    assessment_id: int | None = None
    state: str | None = None


@dataclass(frozen=True)
class QueueItem:
    """One line of the queue."""

    kind: str  # "submission" or "evaluation"
    submission_id: int | None
    grade_id: int | None
    assessment_id: int
    learner_id: int
    cohort_id: int
    at: datetime
    state: str
    learner_name: str
    assessment_title: str
    module_code: str
    cohort_name: str


def scope_cohorts(user: User):
    """Return a select of the ids of the cohorts whose work ``user`` grades."""
    if user.is_admin:
        return db.select(Cohort.id)
    return db.select(Membership.cohort_id).filter_by(user_id=user.id, role=MembershipRole.TRAINER)


def _items(user: User):
    """Return the union of submissions and evaluations in the user's scope, as a subquery."""
    learner = aliased(Membership)
    in_scope = and_(
        learner.role == MembershipRole.LEARNER, learner.cohort_id.in_(scope_cohorts(user))
    )
    submissions = (
        db.select(
            literal("submission").label("kind"),
            Submission.id.label("submission_id"),
            Grade.id.label("grade_id"),
            Submission.assessment_id.label("assessment_id"),
            Submission.user_id.label("learner_id"),
            learner.cohort_id.label("cohort_id"),
            Submission.submitted_at.label("at"),
            case((Grade.id.is_(None), "to_grade"), else_=cast(Grade.state, String)).label("state"),
        )
        .select_from(Submission)
        .join(learner, and_(learner.user_id == Submission.user_id, in_scope))
        .join(Cohort, Cohort.id == learner.cohort_id)
        .join(
            Assessment,
            and_(Assessment.id == Submission.assessment_id, Assessment.path_id == Cohort.path_id),
        )
        .outerjoin(Grade, Grade.submission_id == Submission.id)
        # A version replaced by a newer one before anybody graded it is not work to grade.
        .where(or_(Grade.id.is_not(None), ~_newer_version_exists()))
    )
    evaluations = (
        db.select(
            literal("evaluation").label("kind"),
            cast(null(), Integer).label("submission_id"),
            Grade.id.label("grade_id"),
            Assessment.id.label("assessment_id"),
            learner.user_id.label("learner_id"),
            learner.cohort_id.label("cohort_id"),
            ModuleCalendar.opens_at.label("at"),
            case((Grade.id.is_(None), "to_record"), else_=cast(Grade.state, String)).label("state"),
        )
        .select_from(learner)
        .join(Cohort, and_(Cohort.id == learner.cohort_id, in_scope))
        .join(
            Assessment,
            and_(
                Assessment.path_id == Cohort.path_id, Assessment.kind == AssessmentKind.EVALUATION
            ),
        )
        .join(
            ModuleCalendar,
            and_(
                ModuleCalendar.cohort_id == Cohort.id,
                ModuleCalendar.module_id == Assessment.module_id,
                ModuleCalendar.opens_at <= utcnow(),
            ),
        )
        .outerjoin(
            Grade,
            and_(
                Grade.assessment_id == Assessment.id,
                Grade.learner_id == learner.user_id,
                Grade.submission_id.is_(None),
            ),
        )
    )
    return union_all(submissions, evaluations).subquery("queue")


def _newer_version_exists():
    """Return the condition "the learner submitted a later version of this assignment"."""
    newer = aliased(Submission)
    return (
        db.select(newer.id)
        .where(
            newer.assessment_id == Submission.assessment_id,
            newer.user_id == Submission.user_id,
            newer.version > Submission.version,
        )
        .exists()
    )


def _filtered(user: User, filters: QueueFilters):
    """Return the select of queue items matching the filters, with their display names."""
    q = _items(user)
    query = (
        db.select(q, User.display_name, Assessment.title, Module.code, Cohort.name)
        .select_from(q)
        .join(User, User.id == q.c.learner_id)
        .join(Assessment, Assessment.id == q.c.assessment_id)
        .join(Module, Module.id == Assessment.module_id)
        .join(Cohort, Cohort.id == q.c.cohort_id)
    )
    if filters.cohort_id is not None:
        query = query.where(q.c.cohort_id == filters.cohort_id)
    if filters.module_id is not None:
        query = query.where(Assessment.module_id == filters.module_id)
    if filters.assessment_id is not None:
        query = query.where(q.c.assessment_id == filters.assessment_id)
    if filters.state == "to_grade":
        query = query.where(q.c.state.in_(("to_grade", "to_record")))
    elif filters.state is not None:
        query = query.where(q.c.state == filters.state)
    return query, q


def _item(row) -> QueueItem:
    """Build a queue item from a result row."""
    return QueueItem(*row)


def queue_page(user: User, filters: QueueFilters, page: int = 1) -> tuple[list[QueueItem], int]:
    """Return one page of the queue (oldest first) and the number of matching items."""
    query, q = _filtered(user, filters)
    total = db.session.scalar(db.select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.order_by(q.c.at, q.c.learner_id, q.c.assessment_id, q.c.submission_id)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    return [_item(row) for row in rows], total


def next_item(user: User, *, skip_grade_id: int | None = None) -> QueueItem | None:
    """Return the oldest item of the user's queue that still needs work (not ``skip_grade_id``)."""
    query, q = _filtered(user, QueueFilters())
    query = query.where(q.c.state.in_(NEEDS_WORK))
    if skip_grade_id is not None:
        query = query.where(func.coalesce(q.c.grade_id, 0) != skip_grade_id)
    row = db.session.execute(
        query.order_by(q.c.at, q.c.learner_id, q.c.assessment_id).limit(1)
    ).first()
    return _item(row) if row else None


def new_submissions(user: User, since: datetime) -> list[QueueItem]:
    """Return the submissions to grade in the user's queue received since ``since``."""
    query, q = _filtered(user, QueueFilters(state="to_grade"))
    query = query.where(q.c.kind == "submission", q.c.at >= since)
    return [_item(row) for row in db.session.execute(query.order_by(q.c.at))]


def filter_choices(user: User) -> tuple[list[Cohort], list[Assessment]]:
    """Return the cohorts in the user's scope and their paths' gradable assessments (2 queries)."""
    cohorts = db.session.scalars(
        db.select(Cohort).where(Cohort.id.in_(scope_cohorts(user))).order_by(Cohort.name)
    ).all()
    assessments = db.session.scalars(
        db.select(Assessment)
        .join(Module, Module.id == Assessment.module_id)
        .where(
            Assessment.path_id.in_({cohort.path_id for cohort in cohorts}),
            Assessment.kind != AssessmentKind.QUIZ,
        )
        .order_by(Module.position, Assessment.position)
        .options(joinedload(Assessment.module))
    ).all()
    return list(cohorts), list(assessments)
