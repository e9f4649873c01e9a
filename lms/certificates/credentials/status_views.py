"""The published revocation lists: ``GET /credentials/status/<list_id>``.

A verifier of any of our credentials fetches the list its ``credentialStatus`` names, checks
the list's proof, and reads the credential's bit. The answer is the stored signed credential of
the list (``lms.certificates.credentials.status``); it names nobody, so shared caches may keep
it for five minutes (``Cache-Control: public, max-age=300``), and the list's version is its
``ETag``: a verifier that holds the current version gets a bodiless 304. A revocation is thus
visible to every verifier within five minutes. Fetching is rate-limited with the verification
pages (one budget per address).
"""

from __future__ import annotations

import json

from flask import Response, request

from lms.certificates.credentials.models import StatusList
from lms.certificates.credentials.status import published
from lms.certificates.credentials.views import bp
from lms.certificates.verification import verification_limit
from lms.core.security import public_cache
from lms.extensions import db

CACHE_SECONDS = 300


@bp.get("/credentials/status/<int:list_id>")
@public_cache(CACHE_SECONDS)
@verification_limit
def status_list(list_id: int):
    """Return a signed ``BitstringStatusListCredential``; 304 when the reader has it already."""
    status_list = db.get_or_404(StatusList, list_id)
    etag = str(status_list.version)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        body = json.dumps(published(status_list), ensure_ascii=False, separators=(",", ":"))
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    return response
