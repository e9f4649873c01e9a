"""Who positions whom: the one place for the entry positioning's access rules.

Built on ``lms.cohorts.access`` (whose rules are never copied here):

- a **learner** of a cohort self-assesses there and reads their own positioning
  (``lms.cohorts.access.learner_cohort_or_404``); nobody else fills it in for them;
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

from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.cohorts.access import (
    cohort_learner_or_404,
    followed_cohort_or_403,
)
from lms.cohorts.models import Cohort

__all__ = ["followed_cohort", "positioned_learner_or_404"]


def followed_cohort(cohort_id: int) -> Cohort:
    """Return the cohort (its path loaded) for those who follow it; deny everyone else."""
    return followed_cohort_or_403(cohort_id, joinedload(Cohort.path))


def positioned_learner_or_404(cohort_id: int, user_id: int) -> tuple[Cohort, User]:
    """Return the cohort and one of its learners for those who follow it; 404 for others."""
    cohort = followed_cohort(cohort_id)
    return cohort, cohort_learner_or_404(cohort, user_id)
