"""Producing a cohort's documents at once (or those of one funder's learners): a batch.

The batches of certificates (``lms.certificates.batches``) do the work: the same
``IssuanceBatch`` row (with ``document_kind``, ``as_of`` and ``funder``), the same jobs (RQ
parts on the workers, or inline without Redis), the same progress page and the same recounts
after each learner. ``start_document_batch`` fixes the learners; the batch's job calls
``produce_for_batch`` (``lms.certificates.realisation.services``) for each. A learner the
batch already served is skipped when it runs again (its documents name the batch), so a re-run
produces only what is missing.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.certificates.batches import _abandoned, active_batch
from lms.certificates.models import IssuanceBatch
from lms.certificates.realisation.document import DocumentKind
from lms.certificates.realisation.services import (
    RealisationError,
    covered_period,
    learners_of,
    require_settings,
)
from lms.cohorts.funders import funder_label
from lms.cohorts.models import Cohort, Funder
from lms.core.db import lock_row_for_update
from lms.extensions import db


def start_document_batch(
    cohort: Cohort,
    kind: DocumentKind,
    as_of: date,
    funder: Funder | None,
    requested_by: User | None,
) -> IssuanceBatch:
    """Record a batch producing the document for every learner of the cohort (of one funder)."""
    require_settings()
    covered_period(cohort, as_of)
    lock_row_for_update(db.session, Cohort, cohort.id)
    if (active := active_batch(cohort, kind)) is not None and not _abandoned(active):
        raise RealisationError(
            _(
                "A batch of these documents is already under way for this cohort: "
                "wait until it ends."
            )
        )
    learners = [user for user, _membership in learners_of(cohort, funder)]
    if not learners:
        if funder is None:
            raise RealisationError(_("This cohort has no learner."))
        raise RealisationError(
            _("No learner of this cohort is funded by %(funder)s.", funder=funder_label(funder))
        )
    batch = IssuanceBatch(
        cohort=cohort,
        requested_by=requested_by,
        learner_ids=[learner.id for learner in learners],
        total=len(learners),
        document_kind=kind,
        as_of=as_of,
        funder=funder,
    )
    db.session.add(batch)
    db.session.flush()
    after = {
        "cohort_id": cohort.id,
        "total": batch.total,
        "kind": kind.value,
        "as_of": as_of.isoformat(),
        "funder": funder.value if funder else None,
    }
    record_audit_event(requested_by, "realisation.batch", batch, after=after)
    return batch
