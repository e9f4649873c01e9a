"""The marker's queue: their own markings only, in three sections, in one query.

« À corriger » (allocated or in progress, first or second marking), « En attente de l'autre
correction » (their marking submitted, the final grade not set yet, no third reader: the other
marking is never named nor described, only that the work waits), « À trancher » (third reader,
not settled). Finished markings (the final grade set) are listed apart. Blind: the query reads
nothing of anybody else's marking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import aliased

from lms.accounts.models import User
from lms.assessments.models import (
    Assessment,
    Grade,
    GradeState,
    Marking,
    MarkingRole,
    MarkingState,
)
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
        .where(Marking.marker_id == user.id)
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
