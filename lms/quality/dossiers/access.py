"""Who may request and download learners' dossiers: the one place for these rules.

- **Administrators of the cohort** (central, and the local administrators of its territory:
  they run the cohort for the co-development company and present its evidence to auditors)
  request dossiers for one learner or the whole cohort, see the builds and download them
  (``cohort_admin_or_404``; another territory's cohort or dossier is a 404, as unknown ids).
  Trainers do not: a dossier gathers more than their teaching (attendance reasons, decisions).
- **The learner** requests and downloads their own dossier (GDPR access and portability);
  anyone else's is denied (403), an unknown id is a 404, as for the certificates' PDFs (and
  another territory's local administrator gets the 404 of an unknown id, SECURITY.md J39).
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.accounts.permissions import deny
from lms.cohorts.access import cohort_admin_or_404, deny_cohort, is_cohort_admin, is_learner_of
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.quality.dossiers.models import LearnerDossier

__all__ = [
    "administered_dossier_or_404",
    "cohort_admin_or_404",
    "learner_cohort_or_403",
    "own_dossier_or_403",
]


def _dossier_or_404(dossier_id: int) -> LearnerDossier:
    if not current_user.is_authenticated:
        deny()
    query = (
        db.select(LearnerDossier)
        .options(joinedload(LearnerDossier.cohort), joinedload(LearnerDossier.learner))
        .where(LearnerDossier.id == dossier_id)
    )
    dossier = db.session.scalar(query)
    if dossier is None:
        abort(404)
    return dossier


def administered_dossier_or_404(dossier_id: int) -> LearnerDossier:
    """Return a dossier for the administrators of its cohort; deny everyone else."""
    dossier = _dossier_or_404(dossier_id)
    if not is_cohort_admin(current_user, dossier.cohort):
        deny_cohort(dossier.cohort)
    return dossier


def own_dossier_or_403(dossier_id: int) -> LearnerDossier:
    """Return one of the current user's own dossiers; deny anyone else's (403)."""
    dossier = _dossier_or_404(dossier_id)
    if dossier.learner_id != current_user.id:
        deny_cohort(dossier.cohort)  # another territory's local administrator: 404
    return dossier


def learner_cohort_or_403(cohort_id: int) -> Cohort:
    """Return a cohort the current user learns in; deny other cohorts (403), 404 unknown ones."""
    if not current_user.is_authenticated:
        deny()
    cohort = db.get_or_404(Cohort, cohort_id)
    user: User = current_user._get_current_object()
    if not is_learner_of(user, cohort):
        deny_cohort(cohort)
    return cohort
