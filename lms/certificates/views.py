"""The learner's certificates (blueprint ``my_certificates``): the list and the PDF downloads.

The list also shows the learner's certificats de réalisation and attestations de fin de
formation (``lms.certificates.realisation``), downloaded through ``my_realisation``.

A learner sees every certificate issued to them, whatever its state: valid ones can be
downloaded; revoked and superseded ones are listed with their state (a superseded one names
its replacement) but their PDF is no longer served (``Certificate.can_download``). Anyone
else's certificate is denied (lms.accounts.permissions: 403), never revealed.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from lms.accounts.permissions import deny, login_required
from lms.certificates.download import pdf_download
from lms.certificates.forms import STATE_LABELS
from lms.certificates.models import Certificate
from lms.certificates.queries import learner_certificates
from lms.certificates.realisation.forms import KIND_NAMES
from lms.certificates.realisation.services import learner_records
from lms.extensions import db

bp = Blueprint("my_certificates", __name__)


@bp.get("/certificates")
@login_required
def my_certificates():
    """List the certificates issued to the current user, valid ones first to download."""
    return render_template(
        "certificates/list.html",
        certificates=learner_certificates(current_user),
        state_labels=STATE_LABELS,
        realisation_records=learner_records(current_user),
        kind_names=KIND_NAMES,
    )


@bp.get("/certificates/<int:certificate_id>/pdf")
@login_required
def download(certificate_id: int):
    """Send one of the current user's valid certificates; deny any other."""
    certificate = db.get_or_404(Certificate, certificate_id)
    if not certificate.can_download(current_user):
        deny()
    return pdf_download(certificate)
