"""Administrators' pages of batch issuance (blueprint ``certificate_batches``).

Starting a batch posts from the cohort's eligibility page (certificates) or its training
certificates page (``lms.certificates.realisation``); the progress page follows either. With
Redis, the batch runs on the workers and the page reloads itself every few seconds while it runs
(an HTTP ``Refresh`` header: the Content-Security-Policy allows no inline script). Without Redis,
the batch runs during the request that starts it, and the page shows it finished.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.models import User
from lms.accounts.permissions import admin_required
from lms.certificates.batches import ACTIVE_STATES, launch_batch, start_batch
from lms.certificates.errors import CertificateError
from lms.certificates.models import BatchState, IssuanceBatch
from lms.certificates.realisation.forms import KIND_NAMES
from lms.cohorts.forms import ActionForm
from lms.cohorts.funders import funder_label
from lms.cohorts.models import Cohort
from lms.core.transactions import unit_of_work
from lms.extensions import db

bp = Blueprint("certificate_batches", __name__, url_prefix="/admin")

# Seconds between two automatic reloads of a running batch's page.
REFRESH_SECONDS = 3
STATE_LABELS = {
    BatchState.QUEUED: _l("Batch waiting for a worker"),
    BatchState.RUNNING: _l("Batch under way"),
    BatchState.FINISHED: _l("Batch finished"),
    BatchState.FAILED: _l("Batch stopped by an error"),
}


def batch_learner_names(batch: IssuanceBatch) -> dict[int, str]:
    """Return the display names of the batch's learners who have errors (one query)."""
    ids = [error["learner_id"] for error in batch.errors]
    if not ids:
        return {}
    rows = db.session.execute(db.select(User.id, User.display_name).where(User.id.in_(ids)))
    return dict(rows.all())  # a Result has keys(): dict() would take it for a mapping


def eligibility_url(cohort_id: int) -> str:
    """Return the cohort's eligibility page, where batches start."""
    return url_for("certificates_admin.eligibility", cohort_id=cohort_id)


@bp.post("/cohorts/<int:cohort_id>/certificate-batches")
@admin_required
def start(cohort_id: int):
    """Start issuing the certificates of every awarded learner of the cohort."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work(error_redirect=eligibility_url(cohort_id)):
        batch = start_batch(cohort, current_user)
    try:  # after the commit: the job reads the batch from the database
        launch_batch(batch)
    except CertificateError as error:
        flash(str(error), "error")
    else:
        flash(_("Batch started. Learners to issue: %(count)d.", count=batch.total), "success")
    return redirect(url_for(".progress", batch_id=batch.id))


@bp.get("/certificate-batches/<int:batch_id>")
@admin_required
def progress(batch_id: int):
    """Show how far a batch went: progress bar, counts and each learner's error."""
    batch = db.get_or_404(IssuanceBatch, batch_id)
    page = render_template(
        "certificates/batches/progress.html",
        batch=batch,
        names=batch_learner_names(batch),
        state_labels=STATE_LABELS,
        back_url=(
            url_for("realisation_admin.cohort", cohort_id=batch.cohort_id)
            if batch.document_kind
            else eligibility_url(batch.cohort_id)
        ),
        refreshing=batch.state in ACTIVE_STATES,
        kind_names=KIND_NAMES,
        funder_label=funder_label,
    )
    response = current_app.make_response(page)
    if batch.state in ACTIVE_STATES:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response
