"""Issuing a certificate's credential: status entry, facts, signature, and its place in the PDF.

Issuance (``lms.certificates.issuing``) calls ``prepare_credential`` before it renders the PDF:
the credential takes the next index of the revocation list, is built from the frozen document
and what the path says of its competencies, and is signed with the current key. Its JSON is
then embedded in the PDF (``attachment``) and saved with the certificate
(``record_credential``) in the same transaction. The index is taken in a short transaction of
its own (``_allocate_entry``), so that issuances render in parallel; a request that loses the
race for a learner's certificate leaves its index unused: indices are never handed out twice.

The credential's JSON is written one way only (``credential_json``), so that the PDF rebuilt
from a stored (document, credential) pair has the same bytes as the one issued.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.accounts.tokens import link_to
from lms.certificates.credentials import keys, status
from lms.certificates.credentials.achievement import (
    CompetencyFacts,
    CredentialFacts,
    build_credential,
)
from lms.certificates.credentials.models import CredentialKey, IssuedCredential, StatusList
from lms.certificates.credentials.profile import issuer_profile
from lms.certificates.document import CertificateDocument
from lms.certificates.errors import CertificateError
from lms.certificates.jury.models import PathJury
from lms.certificates.models import Certificate
from lms.core import dataintegrity
from lms.core.pdf import Attachment
from lms.curriculum.models import Competency, CompetencyBlock, Module, module_competencies
from lms.extensions import db

ATTACHMENT_NAME = "credential.json"
ATTACHMENT_DESCRIPTION = "Open Badges 3.0 credential (W3C Verifiable Credential), signed"
SALT_BYTES = 16


@dataclass(frozen=True)
class PreparedCredential:
    """A signed credential waiting for its certificate row, with its key and status entry."""

    document: dict[str, Any]
    key: CredentialKey
    status_list: StatusList
    status_index: int
    issued_at: datetime


def credential_url(code: str) -> str:
    """Return the address that serves the credential of the certificate with this code."""
    return link_to("credentials.credential", code=code)


def credential_json(credential: dict[str, Any]) -> str:
    """Return the credential as the PDF embeds it and the site serves it (compact UTF-8)."""
    return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))


def attachment(credential: dict[str, Any], issued_at: datetime) -> Attachment:
    """Return the credential as the PDF/A-3 associated file of its certificate."""
    return Attachment(
        name=ATTACHMENT_NAME,
        text=credential_json(credential),
        description=ATTACHMENT_DESCRIPTION,
        moment=issued_at,
    )


def _facts(
    document: CertificateDocument,
    *,
    learner: User,
    path_id: int,
    block: CompetencyBlock | None,
    code: str,
    issued_at: datetime,
    list_url: str,
    status_index: int,
) -> CredentialFacts:
    """Read what the credential says beyond the document: the path's scale, texts and modules."""
    from lms.curriculum.models import TrainingPath

    path = db.session.get(TrainingPath, path_id)
    assert path is not None  # the certificate's path: RESTRICT keeps it
    codes = [line.code for line in document.competencies]
    competencies = db.session.execute(
        db.select(Competency.code, Competency.description)
        .join(CompetencyBlock, Competency.block_id == CompetencyBlock.id)
        .where(CompetencyBlock.path_id == path_id, Competency.code.in_(codes))
    )
    if block is None:
        module_codes = tuple(module.code for module in document.modules)
    else:
        module_codes = tuple(
            db.session.scalars(
                db.select(Module.code)
                .join(module_competencies, module_competencies.c.module_id == Module.id)
                .join(Competency, Competency.id == module_competencies.c.competency_id)
                .where(Competency.block_id == block.id)
                .distinct()
            )
        )
    has_jury = db.session.scalar(db.select(PathJury.id).filter_by(path_id=path_id)) is not None
    return CredentialFacts(
        document=document,
        credential_url=credential_url(code),
        issuer=issuer_profile(document.organisation),
        issued_at=issued_at,
        learner_email=learner.email,
        salt=secrets.token_hex(SALT_BYTES),
        path_code=path.code,
        path_description=path.description,
        scale=tuple(level.label for level in path.proficiency_levels),
        competencies=tuple(CompetencyFacts(c, d or "") for c, d in competencies),
        block_evaluation=block.evaluation if block is not None else "",
        module_codes=module_codes,
        decided_by_jury=has_jury,
        status_list_url=list_url,
        status_index=status_index,
        timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
    )


def _key_and_entry() -> tuple[CredentialKey, Ed25519PrivateKey, StatusList, int]:
    """Return the signing key and the next index of the revocation list, both committed apart.

    The list's row stays locked until the allocation commits: inside the issuing transaction,
    the lock would last through the rendering of the PDF and every issuance would wait for the
    one before (a batch's processes would take turns). Committed in a short transaction of its
    own, with the key's first registration, the index is the certificate's or, if its issuance
    fails or loses the race, nobody's: never handed out twice. A transaction that already holds
    SQLite's write lock does both in place (no other writer could meanwhile). On PostgreSQL the
    list's row is locked ``FOR NO KEY UPDATE``: a transaction issuing a second certificate before
    it commits holds a key-share lock on the row through its first credential, which a plain
    ``FOR UPDATE`` from this short transaction would wait on for good.
    """
    connection = db.session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name == "sqlite" and driver.in_transaction:
        key, private_key = _signing_key()
        return key, private_key, *status.allocate_entry()
    with current_app.app_context():  # a session and a connection of its own
        if db.session.connection().dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL lock_timeout = '10s'"))
        key, private_key = _signing_key()
        status_list, index = status.allocate_entry()
        key_id, list_id = key.id, status_list.id
        db.session.commit()
    # Read again in the issuing session (both were committed just now).
    return (
        db.session.get_one(CredentialKey, key_id),
        private_key,
        db.session.get_one(StatusList, list_id),
        index,
    )


def _signing_key() -> tuple[CredentialKey, Ed25519PrivateKey]:
    """Return the key that signs now; refuse to issue, saying what to do, when there is none."""
    try:
        return keys.current_key()
    except keys.CredentialKeyMissing as error:
        current_app.logger.error("credential not signed: %s", error)
        raise CertificateError(
            _(
                "Certificates cannot be issued: no key may sign their credentials on this "
                "server. An administrator creates one with `lms keys rotate`."
            )
        ) from error


def prepare_credential(
    document: CertificateDocument,
    *,
    learner: User,
    path_id: int,
    block: CompetencyBlock | None,
    code: str,
    issued_at: datetime,
) -> PreparedCredential:
    """Allocate a status entry, build the certificate's credential and sign it (flushed)."""
    key, private_key, status_list, index = _key_and_entry()
    facts = _facts(
        document,
        learner=learner,
        path_id=path_id,
        block=block,
        code=code,
        issued_at=issued_at,
        list_url=status.status_list_url(status_list.id),
        status_index=index,
    )
    # 1EdTech's schema wants the proof as a set (VC 2.0 allows one proof or a set).
    signed = dataintegrity.sign(
        build_credential(facts), private_key, keys.verification_method(key), issued_at, as_set=True
    )
    return PreparedCredential(signed, key, status_list, index, issued_at)


def verify_credential(credential: dict[str, Any]) -> dataintegrity.ProofCheck:
    """Check one of our credentials' proof (a one-proof set) with the issuer's published keys."""
    return dataintegrity.verify(credential, keys.public_key_for)


def record_credential(certificate: Certificate, prepared: PreparedCredential) -> IssuedCredential:
    """Tie the credential to its unsaved certificate: adding the certificate saves both."""
    return IssuedCredential(
        certificate=certificate,
        status_list=prepared.status_list,
        status_index=prepared.status_index,
        document=prepared.document,
        key=prepared.key,
        issued_at=prepared.issued_at,
    )


def credential_of(certificate_id: int) -> IssuedCredential | None:
    """Return the credential issued with a certificate; None for one issued before credentials."""
    return db.session.scalar(db.select(IssuedCredential).filter_by(certificate_id=certificate_id))


def issued_credentials(certificate_ids: list[int]) -> list[IssuedCredential]:
    """Return the credentials of these certificates, with their certificate (one query)."""
    if not certificate_ids:
        return []
    query = (
        db.select(IssuedCredential)
        .where(IssuedCredential.certificate_id.in_(certificate_ids))
        .options(joinedload(IssuedCredential.certificate))
    )
    return list(db.session.scalars(query))
