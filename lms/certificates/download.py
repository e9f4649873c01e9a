"""Sending a stored certificate PDF: the learner's page and the administrators' pages use it."""

from __future__ import annotations

from flask import Response, abort, send_file

from lms.certificates.errors import CertificateError
from lms.certificates.issuing import open_certificate_pdf
from lms.certificates.models import Certificate
from lms.core.csv import attachment


def pdf_download(certificate: Certificate) -> Response:
    """Send the certificate's stored PDF as an attachment named after its number; 404 if lost."""
    try:
        stream = open_certificate_pdf(certificate)
    except CertificateError:
        abort(404)
    response = send_file(stream, mimetype="application/pdf", conditional=False)
    response.headers["Content-Disposition"] = attachment(f"certificat-{certificate.number}.pdf")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
