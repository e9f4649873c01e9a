"""The learner's certificates (blueprint ``my_certificates``): the list and the PDF downloads.

The list also shows the learner's certificats de réalisation and attestations de fin de
formation (``lms.certificates.realisation``), downloaded through ``my_realisation``.

A learner sees every certificate issued to them, whatever its state: valid ones can be
downloaded, with their Open Badges credential (« badge numérique ») and the links that add them
to a professional profile (``lms.certificates.credentials.sharing``); revoked and superseded
ones are listed with their state (a superseded one names
its replacement) but their PDF is no longer served (``Certificate.can_download``). Anyone
else's certificate is denied (lms.accounts.permissions: 403), never revealed.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from lms.accounts.permissions import deny, login_required
from lms.certificates.credentials.issuance import credential_of, issued_credentials
from lms.certificates.credentials.sharing import badge_download, profile_links
from lms.certificates.document import document_from_json
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
    certificates = learner_certificates(current_user)
    valid = [certificate.id for certificate in certificates if certificate.is_valid]
    badges = {
        issued.certificate_id: profile_links(
            issued.document, document_from_json(issued.certificate.document)
        )
        for issued in issued_credentials(valid)
    }
    return render_template(
        "certificates/list.html",
        certificates=certificates,
        badges=badges,
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


@bp.get("/certificates/<int:certificate_id>/badge.json")
@login_required
def badge(certificate_id: int):
    """Send one of the current user's valid certificates' credential; deny any other."""
    certificate = db.get_or_404(Certificate, certificate_id)
    own = certificate.learner_id == current_user.id and certificate.is_valid
    if not (own or current_user.is_admin):
        deny()
    issued = credential_of(certificate.id)
    if issued is None:
        abort(404)  # issued before credentials existed
    return badge_download(issued.document, certificate.number or str(certificate.id))
