"""Who reaches attendance pages: the one place for the attendance predicates and loaders.

Built on ``lms.cohorts.access`` (whose rules are never copied here):

- **sessions** of a cohort are planned by the people who follow it: its trainers, every central
  administrator and the local administrators of its territory (``may_manage_sessions``, i.e.
  ``lms.cohorts.access.follows``); the loaders ``sessions_cohort_or_403`` and
  ``session_of_staff_or_404`` stop the request as ``lms.accounts.permissions`` says: anonymous
  visitors go to the login page, other people get 403, unknown objects 404, and a local
  administrator of another territory the same 404 (``deny_cohort``);
- a learner reads the sessions of the cohorts they learn in (``learner_cohort_ids``).

External assessors and jury members are neither staff nor learners of a cohort here: every
rule names the trainer or learner role, so they reach nothing.
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import Select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import ORMOption

from lms.accounts.models import User
from lms.accounts.permissions import loaded_or_404
from lms.attendance.models import TrainingSession
from lms.cohorts.access import deny_cohort, followed_cohort_or_403, follows
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.extensions import db

__all__ = [
    "learner_cohort_ids",
    "may_manage_sessions",
    "session_of_staff_or_404",
    "sessions_cohort_or_403",
]


def may_manage_sessions(user: User, cohort: Cohort) -> bool:
    """Tell whether ``user`` creates, edits and deletes the cohort's sessions (who follows it)."""
    return user.is_authenticated and follows(user, cohort)


def sessions_cohort_or_403(cohort_id: int, *options: ORMOption) -> Cohort:
    """Return the cohort whose sessions the current user manages (its path loaded)."""
    return followed_cohort_or_403(cohort_id, joinedload(Cohort.path), *options)


def session_of_staff_or_404(session_id: int, *options: ORMOption) -> TrainingSession:
    """Return the session for the staff of its cohort: 404 when unknown, 403 for anyone else.

    ``options`` load what the page needs in the same query (the cohort is always loaded).
    """
    session = loaded_or_404(
        TrainingSession, session_id, joinedload(TrainingSession.cohort), *options
    )
    if not may_manage_sessions(current_user, session.cohort):
        deny_cohort(session.cohort)
    return session


def learner_cohort_ids(user: User) -> Select[tuple[int]]:
    """Return a select of the ids of the cohorts ``user`` learns in."""
    return db.select(Membership.cohort_id).filter_by(user_id=user.id, role=MembershipRole.LEARNER)
