"""Pages of the certificats de réalisation and attestations de fin de formation.

Blueprint ``realisation_admin`` (administrators only: these documents are the training
organisation's word to funders, signed by its legal representative): a cohort's page (each
learner's funder, hours realised and documents; a batch for every learner or one funder's), a
learner's page (their documents; produce one at any day up to today) and the downloads.
Blueprint ``my_realisation``: the learner downloads their own documents, listed on their
certificates page; anyone else's is denied (403), never revealed.

Every write loads its objects, checks the form, calls one service, commits once, flashes and
redirects; a refusal (settings missing, a day outside the cohort) is shown beside the form.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import acting_user, admin_required, deny, login_required
from lms.attendance.hours import cohort_attendance
from lms.certificates.batches import launch_batch
from lms.certificates.errors import CertificateError
from lms.certificates.realisation.batches import start_document_batch
from lms.certificates.realisation.document import DocumentKind
from lms.certificates.realisation.forms import KIND_NAMES, BatchForm, ProduceForm
from lms.certificates.realisation.models import RealisationRecord
from lms.certificates.realisation.services import (
    cohort_records,
    learner_records,
    learners_of,
    open_record_pdf,
    produce_document,
)
from lms.certificates.realisation.settings import settings_problems
from lms.cohorts.access import cohort_learner_or_404
from lms.cohorts.funders import funder_label
from lms.cohorts.models import Cohort, Funder
from lms.core.csv import attachment
from lms.core.time import local_today
from lms.core.transactions import unit_of_work
from lms.extensions import db

bp = Blueprint("realisation_admin", __name__, url_prefix="/admin")
learner_bp = Blueprint("my_realisation", __name__)

FILE_NAMES = {
    DocumentKind.REALISATION: "certificat-de-realisation",
    DocumentKind.COMPLETION: "attestation-de-fin-de-formation",
}


@bp.context_processor
def _labels() -> dict:
    return {"kind_names": KIND_NAMES, "funder_label": funder_label}


def default_day(cohort: Cohort) -> date:
    """Return the day a document covers by default: today, or the cohort's last day if past."""
    return min(local_today(), cohort.ends_on)


def funder_labels() -> dict[Funder, str]:
    return {funder: funder_label(funder) for funder in Funder}


# A cohort -------------------------------------------------------------------------------------


def render_cohort(cohort: Cohort, form: BatchForm):
    """Render the cohort's page: learners, funders, hours realised, documents, the batch form."""
    learners = learners_of(cohort)
    day = default_day(cohort)
    hours = cohort_attendance(cohort, [user for user, _m in learners], as_of=day)
    records = cohort_records(cohort)
    rows = [
        {
            "learner": user,
            "funder": membership.funder,
            "hours": hours.get(user.id),
            "records": records.get(user.id, []),
        }
        for user, membership in learners
    ]
    return render_template(
        "certificates/realisation/cohort.html",
        cohort=cohort,
        rows=rows,
        day=day,
        form=form,
        problems=settings_problems(),
    )


def batch_form(cohort: Cohort, formdata: bool = True) -> BatchForm:
    form = BatchForm() if formdata else BatchForm(formdata=None, as_of=default_day(cohort))
    form.set_funders(funder_labels())
    return form


@bp.get("/cohorts/<int:cohort_id>/realisation")
@admin_required
def cohort(cohort_id: int):
    """Show the cohort's learners with their funder, hours realised and documents."""
    cohort = db.get_or_404(Cohort, cohort_id)
    return render_cohort(cohort, batch_form(cohort, formdata=False))


@bp.post("/cohorts/<int:cohort_id>/realisation/batches")
@admin_required
def start_batch(cohort_id: int):
    """Produce the document of every learner of the cohort, or of one funder's learners."""
    cohort = db.get_or_404(Cohort, cohort_id)
    form = batch_form(cohort)
    if not form.validate_on_submit():
        return render_cohort(cohort, form), 400
    try:
        with unit_of_work():
            batch = start_document_batch(
                cohort,
                DocumentKind(form.kind.data),
                form.as_of.data,
                form.chosen_funder,
                acting_user(),
            )
    except CertificateError as error:
        form.form_errors.append(str(error))
        return render_cohort(cohort, form), 409
    try:  # after the commit: the job reads the batch from the database
        launch_batch(batch)
    except CertificateError as error:
        flash(str(error), "error")
    else:
        flash(_("Batch started. Learners: %(count)d.", count=batch.total), "success")
    return redirect(url_for("certificate_batches.progress", batch_id=batch.id))


# A learner ------------------------------------------------------------------------------------


def render_learner(cohort: Cohort, learner, form: ProduceForm):
    return render_template(
        "certificates/realisation/learner.html",
        cohort=cohort,
        learner=learner,
        records=learner_records(learner, cohort),
        form=form,
        problems=settings_problems(),
    )


def learner_url(cohort: Cohort, learner) -> str:
    return url_for(".learner", cohort_id=cohort.id, user_id=learner.id)


@bp.get("/cohorts/<int:cohort_id>/learners/<int:user_id>/realisation")
@admin_required
def learner(cohort_id: int, user_id: int):
    """Show a learner's documents, and the form that produces a new one."""
    cohort = db.get_or_404(Cohort, cohort_id)
    learner = cohort_learner_or_404(cohort, user_id)
    return render_learner(cohort, learner, ProduceForm(formdata=None, as_of=default_day(cohort)))


@bp.post("/cohorts/<int:cohort_id>/learners/<int:user_id>/realisation/documents")
@admin_required
def produce(cohort_id: int, user_id: int):
    """Produce a new version of a learner's certificat de réalisation or attestation."""
    cohort = db.get_or_404(Cohort, cohort_id)
    learner = cohort_learner_or_404(cohort, user_id)
    form = ProduceForm()
    if not form.validate_on_submit():
        return render_learner(cohort, learner, form), 400
    try:
        with unit_of_work():
            record = produce_document(
                cohort,
                learner,
                DocumentKind(form.kind.data),
                form.as_of.data,
                created_by=acting_user(),
            )
    except CertificateError as error:
        form.form_errors.append(str(error))
        return render_learner(cohort, learner, form), 409
    flash(
        _(
            "%(document)s %(reference)s was produced.",
            document=KIND_NAMES[record.kind],
            reference=record.reference,
        ),
        "success",
    )
    return redirect(learner_url(cohort, learner))


# Downloads ------------------------------------------------------------------------------------


def pdf_response(record: RealisationRecord) -> Response:
    """Send the document's stored PDF as an attachment; 404 if lost from storage."""
    try:
        stream = open_record_pdf(record)
    except CertificateError:
        abort(404)
    response = send_file(stream, mimetype="application/pdf", conditional=False)
    name = f"{FILE_NAMES[record.kind]}-{record.reference}.pdf"
    response.headers["Content-Disposition"] = attachment(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/realisation-documents/<int:record_id>/pdf")
@admin_required
def download(record_id: int):
    """Send any document to an administrator."""
    return pdf_response(db.get_or_404(RealisationRecord, record_id))


@learner_bp.get("/certificates/realisation/<int:record_id>/pdf")
@login_required
def my_download(record_id: int):
    """Send one of the current user's documents; deny anyone else's."""
    record = db.get_or_404(RealisationRecord, record_id)
    if not record.can_download(current_user):
        deny()
    return pdf_response(record)
