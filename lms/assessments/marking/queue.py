"""The marker's queue: their own markings only, in three sections, in one query.

« À corriger » (allocated or in progress, first or second marking), « En attente de l'autre
correction » (their marking submitted, the final grade not set yet, no third reader: the other
marking is never named nor described, only that the work waits), « À trancher » (third reader,
not settled). Finished markings (the final grade set) are listed apart. Blind: the query reads
nothing of anybody else's marking. A marker who left the marking's pool (a trainer no longer of
the cohort, an external assessor whose access ended) no longer sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import aliased

from lms.accounts.models import User
from lms.assessments.models import (
    Assessment,
    Grade,
    GradeState,
    MarkerPool,
    Marking,
    MarkingRole,
    MarkingState,
)
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.time import local_today
from lms.extensions import db

SECTIONS = ("to_mark", "waiting", "to_settle", "done")


@dataclass(frozen=True)
class MarkingRow:
    """One line of the marker's queue."""

    marking_id: int
    learner: str
    assessment: str
    role: MarkingRole
    state: MarkingState
    allocated_at: datetime
    section: str


def section_of(role: MarkingRole, state: MarkingState, grade_state: GradeState) -> str:
    """Return the queue section of a marking of the user."""
    if grade_state in (GradeState.GRADED, GradeState.RELEASED):
        return "done"
    if role == MarkingRole.THIRD:
        return "to_settle" if state != MarkingState.SUBMITTED else "done"
    return "waiting" if state == MarkingState.SUBMITTED else "to_mark"


def _still_in_pool():
    """The marker still belongs to the marking's pool in a cohort of the learner on the path.

    Like ``lms.assessments.access.still_in_pool``, in SQL: a trainer who left the cohort, or an
    external assessor whose access ended, sees none of those markings any more.
    """
    learner_of = aliased(Membership)
    marker_of = aliased(Membership)
    return exists().where(
        learner_of.user_id == Grade.learner_id,
        learner_of.role == MembershipRole.LEARNER,
        Cohort.id == learner_of.cohort_id,
        Cohort.path_id == Assessment.path_id,
        marker_of.cohort_id == learner_of.cohort_id,
        marker_of.user_id == Marking.marker_id,
        or_(
            and_(Marking.pool == MarkerPool.TRAINER, marker_of.role == MembershipRole.TRAINER),
            and_(
                Marking.pool == MarkerPool.EXTERNAL,
                marker_of.role == MembershipRole.ASSESSOR,
                marker_of.access_ends_on >= local_today(),
            ),
        ),
    )


def marker_queue(user: User) -> dict[str, list[MarkingRow]]:
    """Return the user's markings by section, oldest allocation first (one query)."""
    learner = aliased(User)
    query = (
        db.select(
            Marking.id,
            learner.display_name,
            Assessment.title,
            Marking.role,
            Marking.state,
            Marking.allocated_at,
            Grade.state,
        )
        .join(Grade, Grade.id == Marking.grade_id)
        .join(Assessment, Assessment.id == Grade.assessment_id)
        .join(learner, learner.id == Grade.learner_id)
        .where(Marking.marker_id == user.id, _still_in_pool())
        .order_by(Marking.allocated_at, Marking.id)
    )
    sections: dict[str, list[MarkingRow]] = {name: [] for name in SECTIONS}
    for marking_id, name, title, role, state, at, grade_state in db.session.execute(query):
        section = section_of(role, state, grade_state)
        sections[section].append(MarkingRow(marking_id, name, title, role, state, at, section))
    return sections


def has_markings(user: User) -> bool:
    """Tell whether the user was ever allocated a marking (one query): the dashboard's link."""
    query = db.select(Marking.id).where(Marking.marker_id == user.id).limit(1)
    return db.session.scalar(query) is not None
