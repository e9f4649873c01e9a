"""Who positions whom: the one place for the entry positioning's access rules.

Built on ``lms.cohorts.access`` (whose rules are never copied here):

- a **learner** of a cohort self-assesses there and reads their own positioning
  (``learner_cohort_or_404``); nobody else fills it in for them;
- the people who **follow** the cohort (its trainers, central administrators and the local
  administrators of its territory: ``lms.cohorts.access.follows``) read every positioning of
  the cohort, record the entry levels and adjustments, and see the cohort's progression
  (``followed_cohort_or_403``, then ``cohort_learner_or_404`` for one learner). An external
  assessor never does: assessing a piece of work is not following a learner's course.

Loaders stop the request as ``lms.accounts.permissions`` says: anonymous visitors go to the
login page, people who may not get 403, unknown ids 404, and a local administrator reaching
another territory's cohort gets the 404 of an unknown id (``deny_cohort``).
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.accounts.permissions import deny
from lms.cohorts.access import (
    cohort_learner_or_404,
    deny_cohort,
    followed_cohort_or_403,
    is_learner_of,
)
from lms.cohorts.models import Cohort
from lms.extensions import db

__all__ = ["followed_cohort", "learner_cohort_or_404", "positioned_learner_or_404"]


def learner_cohort_or_404(cohort_id: int) -> Cohort:
    """Return the cohort (its path loaded) when the current user learns in it; deny others."""
    if not current_user.is_authenticated:
        deny()
    query = db.select(Cohort).options(joinedload(Cohort.path)).where(Cohort.id == cohort_id)
    cohort = db.session.execute(query).unique().scalar_one_or_none()
    if cohort is None:
        abort(404)
    if not is_learner_of(current_user, cohort):
        deny_cohort(cohort)
    return cohort


def followed_cohort(cohort_id: int) -> Cohort:
    """Return the cohort (its path loaded) for those who follow it; deny everyone else."""
    return followed_cohort_or_403(cohort_id, joinedload(Cohort.path))


def positioned_learner_or_404(cohort_id: int, user_id: int) -> tuple[Cohort, User]:
    """Return the cohort and one of its learners for those who follow it; 404 for others."""
    cohort = followed_cohort(cohort_id)
    return cohort, cohort_learner_or_404(cohort, user_id)
