"""Public verification of certificates: by code (page and JSON) and by dropping the PDF.

Anyone (an employer, a funder) checks a certificate without an account (DESIGN.md §7,
SECURITY.md G30). What the answers show, and why:

- what the certificate states, read from the document frozen at issuance (the learner's name
  as printed, the path and its version, the kind, the blocks validated, the date, the
  organisation, the number), its state, and the SHA-256 of the issued PDF. Nothing else about
  the learner: no e-mail, no internal id, no cohort, no competency level.
- A revoked certificate says "revoked on <date>", not why: the reason is written to the learner
  (lms.certificates.notify), not to the world, as Open edX and Credly do.
- A superseded certificate names the certificate that replaces it and links to its page.
- No PDF is served here, not even a valid one: the holder shares their PDF, and anyone checks
  it with the drop form (or by comparing its SHA-256). A public download would hand a person's
  transcript to whoever learns the code.
- Every unknown or malformed code (too long, characters a code never has, ``..``) gets the same
  404 answer, byte for byte: the page is rendered from nothing the request carries (no path, no
  CSRF token), so it says nothing about the code that was tried.
- A dropped PDF is read in memory and never kept. A file that matches no certificate gets the
  same answer whether it was altered or never issued. Its signatures and the credential it
  carries are checked too (``lms.certificates.verification_checks``); a credential can also be
  pasted. Those checks say only what the certificate's page says, and whether the file or the
  credential is what we issued.
- A certificate issued with an Open Badges credential shows its status as our revocation list
  says it (the bit that revoking or superseding sets), and where the credential is served.
- Every answer is rate-limited per client address (``RATELIMIT_VERIFY``, and
  ``RATELIMIT_VERIFY_CHECK`` for dropped files) and never cached (lms.core.security).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms.validators import ValidationError

from lms.accounts.throttling import client_address
from lms.certificates.document import BlockLine, CertificateKind, document_from_json
from lms.certificates.issuing import certificate_by_code, certificate_by_sha256, verification_url
from lms.certificates.models import Certificate, CertificateState
from lms.certificates.verification_checks import (
    CredentialFacts,
    CredentialForm,
    credential_facts,
    inspect_file,
)
from lms.extensions import limiter

bp = Blueprint("certificates", __name__)

# What a code may look like: URL-safe base64 of at least 128 bits (issuing.new_code draws 192),
# at most the column's width. Anything else is not looked up at all.
CODE_FORMAT = re.compile(r"[A-Za-z0-9_-]{22,64}")
PDF_MAGIC = b"%PDF-"
NOT_FOUND_JSON = {"error": "not_found", "message": "No certificate has this verification code."}

# One budget per address for every verification answer; dropped files have a smaller one.
verification_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_VERIFY"],
    scope="certificate-verification",
    key_func=client_address,
)
check_limit = limiter.limit(
    lambda: current_app.config["RATELIMIT_VERIFY_CHECK"],
    key_func=client_address,
    methods=["POST"],
)


@dataclass(frozen=True)
class Successor:
    """The certificate that replaces a superseded one."""

    number: str
    code: str


@dataclass(frozen=True)
class PublicFacts:
    """What the public may know of a certificate: what it states, and its state."""

    number: str
    code: str
    state: CertificateState
    kind: CertificateKind
    learner_name: str
    path_title: str
    path_version: int
    blocks: tuple[BlockLine, ...]
    issued_on: date
    organisation: str
    jury_on: date | None  # the certification jury whose decision it carries, if any
    pdf_sha256: str | None
    revoked_at: datetime | None
    superseded_at: datetime | None
    successor: Successor | None
    credential: CredentialFacts | None  # its Open Badges credential, if it was issued with one

    @property
    def is_partial(self) -> bool:
        """A block attestation is a partial validation of the path (« validation partielle »)."""
        return self.kind == CertificateKind.BLOCK

    def as_json(self) -> dict[str, Any]:
        """Return the facts as JSON values, with the absolute links to verification pages."""
        successor = None
        if self.successor is not None:
            successor = {
                "number": self.successor.number,
                "code": self.successor.code,
                "verification_url": verification_url(self.successor.code),
            }
        return {
            "number": self.number,
            "state": self.state.value,
            "kind": self.kind.value,
            "learner_name": self.learner_name,
            "path_title": self.path_title,
            "path_version": self.path_version,
            "blocks": [{"code": block.code, "title": block.title} for block in self.blocks],
            "issued_on": self.issued_on.isoformat(),
            "organisation": self.organisation,
            "jury_on": self.jury_on.isoformat() if self.jury_on else None,
            "pdf_sha256": self.pdf_sha256,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "superseded_at": self.superseded_at.isoformat() if self.superseded_at else None,
            "superseded_by": successor,
            "credential": self.credential.as_json() if self.credential else None,
            "verification_url": verification_url(self.code),
        }


def public_facts(certificate: Certificate) -> PublicFacts:
    """Return what the certificate states and its state, as plain values (nothing else)."""
    document = document_from_json(certificate.document)
    replacement = certificate.superseded_by
    return PublicFacts(
        number=certificate.number or document.number,
        code=certificate.code,
        state=certificate.state,
        kind=document.kind,
        learner_name=document.learner_name,
        path_title=document.path_title,
        path_version=document.path_version,
        blocks=document.blocks,
        issued_on=document.issued_on,
        organisation=document.organisation,
        jury_on=document.jury_on,
        pdf_sha256=certificate.pdf_sha256,
        revoked_at=certificate.revoked_at,
        superseded_at=certificate.superseded_at,
        successor=Successor(replacement.number, replacement.code) if replacement else None,
        credential=credential_facts(certificate),
    )


def find_certificate(code: str) -> Certificate | None:
    """Return the certificate with this code; None for unknown and malformed codes alike."""
    if not CODE_FORMAT.fullmatch(code):
        return None  # never reaches the database: NUL bytes, 10 KB codes, traversal...
    return certificate_by_code(code)


class CheckForm(FlaskForm):
    """A PDF to compare with the certificates issued."""

    pdf = FileField(
        _l("Certificate (PDF file)"),
        validators=[FileRequired(_l("Choose the PDF file of the certificate."))],
        render_kw={"accept": "application/pdf,.pdf"},
    )

    def validate_pdf(self, field) -> None:
        """Accept a PDF up to ``CERTIFICATE_CHECK_MAX_BYTES``, recognised by its first bytes."""
        stream = field.data.stream
        size = stream.seek(0, os.SEEK_END)
        stream.seek(0)
        limit = current_app.config["CERTIFICATE_CHECK_MAX_BYTES"]
        if size > limit:
            raise ValidationError(
                _(
                    "This file is larger than %(megabytes)s MB: it cannot be a certificate.",
                    megabytes=megabytes(limit),
                )
            )
        magic = stream.read(len(PDF_MAGIC))
        stream.seek(0)
        if magic != PDF_MAGIC:
            raise ValidationError(_("This file is not a PDF."))


def megabytes(size: int) -> str:
    """Return a size in megabytes, as the reader writes numbers (« 5 », « 0,5 »)."""
    return format_decimal(round(size / (1024 * 1024), 1))


def read_dropped(stream) -> bytes:
    """Return a dropped file's bytes (its size was checked by the form); nothing is kept."""
    stream.seek(0)
    return stream.read()


def _not_found_page():
    """Answer an unknown or malformed code: one page for all, with nothing of the request."""
    return render_template("certificates/verify_not_found.html"), 404


@bp.route("/verify/check", methods=["GET", "POST"])
@verification_limit
@check_limit
def check_pdf():
    """Tell whether a dropped PDF, or a pasted credential, is what we issued, unaltered.

    Both forms post here (one budget of checks per address); the pasted credential's field
    tells them apart.
    """
    pasted = request.method == "POST" and "credential" in request.form
    form = CheckForm(formdata=None) if pasted else CheckForm()
    credential_form = CredentialForm() if pasted else CredentialForm(formdata=None)
    checked, facts, file_report, credential_report = False, None, None, None
    if pasted and credential_form.validate_on_submit():
        credential_report = credential_form.report()
    elif not pasted and form.validate_on_submit():
        checked = True
        data = read_dropped(form.pdf.data.stream)
        certificate = certificate_by_sha256(hashlib.sha256(data).hexdigest())
        facts = public_facts(certificate) if certificate is not None else None
        file_report = inspect_file(data)
    return render_template(
        "certificates/verify_check.html",
        form=form,
        credential_form=credential_form,
        checked=checked,
        facts=facts,
        file_report=file_report,
        credential_report=credential_report,
        max_megabytes=megabytes(current_app.config["CERTIFICATE_CHECK_MAX_BYTES"]),
    )


# ``path``: a code with a slash (``../..``) still reaches these views and their 404 answer.
@bp.get("/verify/<path:code>")
@verification_limit
def verify(code: str):
    """Show what a certificate states, its state and the SHA-256 of its PDF."""
    certificate = find_certificate(code)
    if certificate is None:
        return _not_found_page()
    return render_template("certificates/verify.html", facts=public_facts(certificate))


@bp.get("/verify/<path:code>.json")
@verification_limit
def verify_json(code: str):
    """Return the same facts as the verification page, as JSON."""
    certificate = find_certificate(code)
    if certificate is None:
        return jsonify(NOT_FOUND_JSON), 404
    return jsonify(public_facts(certificate).as_json())
