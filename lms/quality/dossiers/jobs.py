"""The job that builds one learner's dossier: ``build_dossier(dossier_id)``.

The job marks the build ``building`` (commit), gathers the evidence, writes the ZIP to a
temporary file, stores it under a new random key (atomically: ``lms.core.storage``), and marks
the build ``ready`` with the archive's key, SHA-256 and size (commit). Any failure marks it
``failed`` with a message and removes what was stored for it: nothing half-written is ever
served, since only a ready build names an archive (a database rule). A build that is no longer
queued (already built, or failed meanwhile) is left as it is, so that running the job twice is
harmless.
"""

from __future__ import annotations

import tempfile

from flask import current_app
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.core import storage
from lms.core.db import lock_row_for_update
from lms.core.time import utcnow
from lms.extensions import db
from lms.quality.dossiers.archive import write_archive
from lms.quality.dossiers.evidence import collect_evidence
from lms.quality.dossiers.models import DossierState, LearnerDossier
from lms.quality.dossiers.store import dossier_folder

# Archives up to this size stay in memory while they are written; larger ones spill to disk.
SPOOL_BYTES = 16 * 1024 * 1024


def build_dossier(dossier_id: int) -> str:
    """Build the dossier's archive and record it; return the build's final state (the job)."""
    if not _start(dossier_id):
        return "skipped"
    key = None
    try:
        dossier = db.session.get_one(LearnerDossier, dossier_id)
        learner = db.session.get_one(User, dossier.learner_id)
        cohort = db.session.get_one(Cohort, dossier.cohort_id)
        built_at = utcnow()
        evidence = collect_evidence(learner, cohort)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as buffer:
            write_archive(evidence, buffer, version=dossier.version, built_at=built_at)
            buffer.seek(0)
            stored = storage.store_bytes(dossier_folder(), buffer)  # type: ignore[arg-type]
        key = stored.key
        dossier.state, dossier.finished_at = DossierState.READY, utcnow()
        dossier.storage_key, dossier.sha256, dossier.size = stored.key, stored.sha256, stored.size
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        if key is not None:
            storage.delete_stored(dossier_folder(), key)
        _fail(dossier_id, _failure_message(error, dossier_id))
        return DossierState.FAILED.value
    return DossierState.READY.value


def _start(dossier_id: int) -> bool:
    """Mark a queued build ``building`` (commit); tell whether there is one to build."""
    lock_row_for_update(db.session(), LearnerDossier, dossier_id)
    dossier = db.session.get(LearnerDossier, dossier_id, populate_existing=True)
    if dossier is None or dossier.state != DossierState.QUEUED:
        db.session.rollback()
        return False
    dossier.state, dossier.started_at = DossierState.BUILDING, utcnow()
    db.session.commit()
    return True


def _failure_message(error: Exception, dossier_id: int) -> str:
    """Say why the build failed; the error is logged in full for the operator."""
    current_app.logger.exception("dossier.build dossier=%s failed", dossier_id)
    if isinstance(error, OSError | storage.StorageError):
        return _("The archive could not be written to storage (%(error)s).", error=str(error))
    return _("Unexpected error (%(kind)s): see the server log.", kind=type(error).__name__)


def _fail(dossier_id: int, message: str) -> None:
    """Mark the build failed with its message; best effort (the database may be gone)."""
    try:
        dossier = db.session.get_one(LearnerDossier, dossier_id, populate_existing=True)
        dossier.state, dossier.finished_at = DossierState.FAILED, utcnow()
        dossier.error = message[:2000] or "?"
        dossier.storage_key = dossier.sha256 = dossier.size = None
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("dossier.build dossier=%s: cannot mark it failed", dossier_id)
