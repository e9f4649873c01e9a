"""Sending a ready dossier's ZIP from storage: the administrators' and the learner's pages."""

from __future__ import annotations

from flask import Response, abort, send_file

from lms.core.csv import attachment
from lms.quality.dossiers.models import LearnerDossier
from lms.quality.dossiers.services import DossierError, archive_name, open_archive


def archive_download(dossier: LearnerDossier) -> Response:
    """Stream the dossier's archive as an attachment; 404 while it is not ready or if lost."""
    try:
        stream = open_archive(dossier)
    except DossierError:
        abort(404)
    response = send_file(stream, mimetype="application/zip", conditional=False)
    response.headers["Content-Disposition"] = attachment(archive_name(dossier))
    response.headers["Content-Length"] = str(dossier.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    # Anyone may check what they received against the digest recorded at build time.
    response.headers["Digest"] = f"sha-256={_base64(dossier.sha256 or '')}"
    return response


def _base64(hex_digest: str) -> str:
    import base64

    return base64.b64encode(bytes.fromhex(hex_digest)).decode()
