"""The issuer's public documents: its profile and its keys (provisional, until the credentials
pages land: the status list needs their addresses)."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify

from lms.accounts.tokens import link_to
from lms.certificates.credentials.keys import verification_method as method_url
from lms.certificates.credentials.models import CredentialKey
from lms.certificates.verification import verification_limit
from lms.extensions import db

bp = Blueprint("credentials", __name__)


@bp.get("/issuer")
@verification_limit
def issuer():
    """Return the issuer's profile."""
    return jsonify({"id": link_to("credentials.issuer"), "type": "Profile"})


@bp.get("/issuer/keys/<kid>")
@verification_limit
def verification_method(kid: str):
    """Return one of the issuer's keys as a Multikey verification method."""
    key = db.session.scalar(db.select(CredentialKey).filter_by(kid=kid[:40]))
    if key is None:
        abort(404)
    return jsonify(
        {
            "@context": "https://w3id.org/security/multikey/v1",
            "id": method_url(key),
            "type": "Multikey",
            "controller": link_to("credentials.issuer"),
            "publicKeyMultibase": key.public_key_multibase,
        }
    )
