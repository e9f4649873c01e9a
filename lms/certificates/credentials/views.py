"""The credentials' public addresses (blueprint ``credentials``), for verifiers and wallets.

- ``GET /credentials/<code>.json``: a certificate's signed Open Badges credential, by the
  verification code printed on it, for valid and revoked certificates alike (the credential's
  status says which; a superseded one points at its replacement on the verification page).
  It states nothing the PDF does not: the same credential is embedded in it. Unknown codes,
  certificates without a credential (issued before credentials existed) and superseded ones
  get the same 404. Served as ``application/ld+json`` (the VC 2.0 media type
  ``application/vc`` is not yet understood by common tools), never cached: its status may
  change.
- ``GET /issuer``: the issuer's profile with every verification method that ever signed.
- ``GET /issuer/keys/<kid>``: one key as a Multikey verification method (``credentials.
  verification_method``, the URL every proof names), retired keys included.

The two issuer documents name nobody and change only when a key is added: shared caches may
keep them for ``CACHE_SECONDS``. Every answer is rate-limited per client address with the
verification pages' budget (``RATELIMIT_VERIFY``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, current_app

from lms.accounts.throttling import client_address
from lms.certificates.credentials.issuance import credential_json, credential_of
from lms.certificates.credentials.keys import verification_method as method_url
from lms.certificates.credentials.models import CredentialKey
from lms.certificates.credentials.profile import issuer_url, published_profile
from lms.certificates.models import CertificateState
from lms.certificates.verification import find_certificate
from lms.core.security import public_cache
from lms.extensions import db, limiter

bp = Blueprint("credentials", __name__)

MEDIA_TYPE = "application/ld+json"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
CACHE_SECONDS = 300
# What a key id may look like (``20261205-1a2b3c``): anything else is not looked up at all.
KID_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,40}")
NOT_FOUND = {"error": "not_found", "message": "No credential at this address."}
SERVED_STATES = (CertificateState.VALID, CertificateState.REVOKED)

credentials_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_VERIFY"],
    scope="credentials",
    key_func=client_address,
)


def _json(document: dict[str, Any], status: int = 200, text: str | None = None) -> Response:
    body = text if text is not None else json.dumps(document, ensure_ascii=False)
    response = Response(body, status=status, mimetype=MEDIA_TYPE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _not_found() -> Response:
    return _json(NOT_FOUND, 404)


# The revocation lists (``credentials.status_list``) are served by
# ``lms.certificates.credentials.status_views``, on this blueprint.


@bp.get("/credentials/<path:code>.json")
@credentials_limit
def credential(code: str):
    """Return a certificate's signed credential, by its verification code."""
    certificate = find_certificate(code)
    if certificate is None or certificate.state not in SERVED_STATES:
        return _not_found()
    issued = credential_of(certificate.id)
    if issued is None:
        return _not_found()
    return _json(issued.document, text=credential_json(issued.document))


@bp.get("/issuer")
@public_cache(CACHE_SECONDS)
@credentials_limit
def issuer():
    """Return the issuer's profile, naming every key that ever signed a credential."""
    return _json(published_profile())


@bp.get("/issuer/keys/<kid>")
@public_cache(CACHE_SECONDS)
@credentials_limit
def verification_method(kid: str):
    """Return one of the issuer's keys as a Multikey verification method."""
    if not KID_FORMAT.fullmatch(kid):
        return _not_found()  # never reaches the database: NUL bytes, 10 KB ids...
    key = db.session.scalar(db.select(CredentialKey).filter_by(kid=kid))
    if key is None:
        return _not_found()
    return _json(
        {
            "@context": [MULTIKEY_CONTEXT],
            "id": method_url(key),
            "type": "Multikey",
            "controller": issuer_url(),
            "publicKeyMultibase": key.public_key_multibase,
        }
    )
