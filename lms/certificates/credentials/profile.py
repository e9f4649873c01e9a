"""The issuer's Open Badges ``Profile``: who signs the credentials, as the world may know it.

Every credential embeds the profile as it stood at issuance (its ``issuer``); ``GET /issuer``
serves the current one, with every verification method the organisation ever signed with
(``assertionMethod``: current and retired keys alike, so that earlier credentials keep
verifying after a rotation).

- ``name``: the organisation the certificate names (``CERTIFICATE_ORGANISATION``, else the
  path's certifier); ``url``: the application's address; ``email`` when
  ``CREDENTIALS_ISSUER_EMAIL`` is set.
- ``otherIdentifier``: the organisation's SIRET and its « numéro de déclaration d'activité »
  (``TRAINING_ORGANISATION_SIRET`` / ``_NDA``), with the extension types ``ext:SIRET`` and
  ``ext:NDA`` (Open Badges' identifier types are an extensible vocabulary: ``ext:`` + a name).
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from lms.accounts.tokens import link_to
from lms.certificates.credentials.keys import verification_method
from lms.certificates.credentials.models import CredentialKey
from lms.core.text import printable
from lms.curriculum.models import TrainingPath
from lms.extensions import db

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# ``assertionMethod`` is no term of the two contexts above: the published profile names it
# inline, as the W3C security vocabulary defines it.
ASSERTION_METHOD_CONTEXT = {
    "assertionMethod": {
        "@id": "https://w3id.org/security#assertionMethod",
        "@type": "@id",
        "@container": "@set",
    }
}
IDENTIFIER_SETTINGS = (
    ("TRAINING_ORGANISATION_SIRET", "ext:SIRET"),
    ("TRAINING_ORGANISATION_NDA", "ext:NDA"),
)


def issuer_url() -> str:
    """Return the issuer's profile URL (its ``id`` in every credential)."""
    return link_to("credentials.issuer")


def home_url() -> str:
    """Return the organisation's web address: the application's base address."""
    base_url = current_app.config.get("BASE_URL")
    return str(base_url).rstrip("/") + "/" if base_url else link_to("learning.home")


def organisation_name() -> str:
    """Return the organisation that certifies, as certificates name it when none is at hand."""
    configured = current_app.config.get("CERTIFICATE_ORGANISATION")
    if configured:
        return str(configured)
    certifier = db.session.scalar(
        db.select(TrainingPath.certifier)
        .where(TrainingPath.certifier != "")
        .order_by(TrainingPath.loaded_at.desc(), TrainingPath.id.desc())
    )
    return certifier or str(current_app.config.get("TRAINING_ORGANISATION_NAME") or "")


def issuer_profile(name: str) -> dict[str, Any]:
    """Return the issuer's profile as a credential embeds it, under the given name."""
    config = current_app.config
    profile: dict[str, Any] = {
        "id": issuer_url(),
        "type": ["Profile"],
        "name": printable(name.strip()),
        "url": home_url(),
    }
    if email := str(config.get("CREDENTIALS_ISSUER_EMAIL") or "").strip():
        profile["email"] = printable(email)
    identifiers = [
        {"type": "IdentifierEntry", "identifier": printable(value), "identifierType": kind}
        for setting, kind in IDENTIFIER_SETTINGS
        if (value := str(config.get(setting) or "").strip())
    ]
    if identifiers:
        profile["otherIdentifier"] = identifiers
    return profile


def published_profile() -> dict[str, Any]:
    """Return the profile ``GET /issuer`` serves, with every key that ever signed."""
    keys = db.session.scalars(db.select(CredentialKey).order_by(CredentialKey.created_at))
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT, ASSERTION_METHOD_CONTEXT],
        **issuer_profile(organisation_name()),
        "assertionMethod": [verification_method(key) for key in keys],
    }
