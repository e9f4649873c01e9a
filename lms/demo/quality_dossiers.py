"""The demo's learner dossier: Élise Fontaine's, in the finished cohort, built for real (once).

Élise holds every kind of evidence the demo makes (work, released grades, attendance sheets, a
certificat de réalisation, the jury's decision and her certificate): her dossier shows the
archive whole. It is built by the same job as the pages, right here, so that « Mon dossier »
and the cohort's dossiers page offer a ready archive. Running the demo again keeps it.
"""

from __future__ import annotations

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.quality.dossiers.jobs import build_dossier
from lms.quality.dossiers.models import DossierState, LearnerDossier
from lms.quality.dossiers.services import request_dossier


def ensure_dossier(learner: User, cohort: Cohort, requested_by: User) -> LearnerDossier | None:
    """Build the learner's dossier in the cohort unless a ready one exists; return it."""
    ready = db.session.scalar(
        db.select(LearnerDossier).filter_by(
            learner_id=learner.id, cohort_id=cohort.id, state=DossierState.READY
        )
    )
    if ready is not None:
        return ready
    dossier = request_dossier(learner, cohort, requested_by)
    db.session.commit()
    build_dossier(dossier.id)
    db.session.expire_all()
    return db.session.get(LearnerDossier, dossier.id)
