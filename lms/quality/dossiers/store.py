"""Where the dossiers' archives are stored: ``<instance>/dossiers`` (``lms.core.storage``)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from lms.certificates.storage_check import StoredDocument, StoredStore
from lms.extensions import db
from lms.quality.dossiers.models import DossierState, LearnerDossier


def dossier_folder() -> Path:
    """Return the folder of the stored dossiers: ``<instance>/dossiers``."""
    return Path(current_app.instance_path) / "dossiers"


def dossier_documents(sender, **_extra) -> StoredStore:
    """Answer ``stored_documents`` for ``lms check-storage``: every ready dossier's archive.

    A lost archive is only reported (a new version can be built); one query.
    """
    query = (
        db.select(LearnerDossier)
        .where(LearnerDossier.state == DossierState.READY)
        .order_by(LearnerDossier.id)
    )
    documents = []
    for dossier in db.session.scalars(query):
        subject = f"dossier {dossier.id} (learner {dossier.learner_id}, version {dossier.version})"
        documents.append(
            StoredDocument(dossier.storage_key or "", dossier.sha256 or "", subject, subject)
        )
    return StoredStore("dossiers", dossier_folder(), documents)
