"""Issuing a certificate exactly once, and finding and serving it.

Services flush and never commit (DESIGN.md §4); views, commands and jobs commit. Issuing renders
the PDF *before* it takes the learner's lock, so that a batch renders in parallel; under the
lock it only checks that no valid certificate appeared meanwhile and inserts the row (the
partial unique index ``uq_certificates_current`` is the last guard). A PDF written for a request
that lost the race is deleted at once; one written by a process that died before its commit is
a file without a row, which ``lms check-storage --fix`` removes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.accounts.tokens import link_to
from lms.certificates.credentials.issuance import (
    PreparedCredential,
    attachment,
    prepare_credential,
    record_credential,
)
from lms.certificates.decisions import latest_decision, require_learner
from lms.certificates.document import (
    BlockLine,
    CertificateDocument,
    CertificateKind,
    CompetencyLine,
    ModuleLine,
    document_to_json,
)
from lms.certificates.eligibility import learner_eligibility
from lms.certificates.errors import CertificateError
from lms.certificates.models import (
    PATH_SCOPE,
    Certificate,
    CertificateState,
    CertificationDecision,
)
from lms.certificates.settings import missing_settings, missing_settings_message
from lms.certificates.signing import sign_certificate
from lms.cohorts.models import Cohort, ModuleCalendar
from lms.core import storage
from lms.core.db import lock_row_for_update
from lms.core.logging import security_event
from lms.core.time import utcnow
from lms.curriculum.models import CompetencyBlock, Module
from lms.extensions import db
from lms.learning.competencies import competency_profile

# Crockford's base32 alphabet: no I, L, O or U to misread on paper.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def certificate_folder() -> Path:
    """Return the folder of issued PDFs, in the instance folder."""
    return Path(current_app.instance_path) / "certificates"


def verification_url(code: str) -> str:
    """Return the public address where anyone checks the certificate with this code."""
    return link_to("certificates.verify", code=code)


def new_code() -> str:
    """Draw a verification code: 192 random bits, URL-safe (SECURITY.md G30 asks ≥ 128)."""
    return secrets.token_urlsafe(24)


def new_number(issued_at: datetime) -> str:
    """Draw a certificate number such as ``EBV-2026-7K3QX9PA`` (prefix, year, 40 random bits)."""
    prefix = current_app.config["CERTIFICATE_NUMBER_PREFIX"]
    token = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"{prefix}-{issued_at.year}-{token}"


def current_certificate(learner: User, path_id: int, scope: str) -> Certificate | None:
    """Return the learner's valid certificate of this path and scope, re-read from the database."""
    query = db.select(Certificate).filter_by(
        learner_id=learner.id, path_id=path_id, scope=scope, state=CertificateState.VALID
    )
    return db.session.scalar(query.execution_options(populate_existing=True))


def _authorise(cohort: Cohort, learner: User, block: CompetencyBlock | None):
    """Return the decision that allows issuing, or raise why it is not allowed."""
    if block is not None:
        if block.path_id != cohort.path_id:
            raise CertificateError(_("This block is not part of the cohort's path."))
        decision = latest_decision(cohort, learner)
        if decision is not None and block.code in decision.block_codes:
            return decision  # a jury's partial validation lists this block
        judged = learner_eligibility(cohort, learner).block(block.code)
        if judged is None or not judged.is_eligible:
            raise CertificateError(
                _(
                    "%(name)s has not validated the block %(code)s.",
                    name=learner.display_name,
                    code=block.code,
                )
            )
        return decision
    decision = latest_decision(cohort, learner)
    if decision is None or not decision.awards:
        raise CertificateError(
            _("No decision awards the certificate to %(name)s yet.", name=learner.display_name)
        )
    return decision


def _settings() -> dict[str, str]:
    """Return who signs and where; refuse to issue, saying what to set, when one is not set."""
    if missing := missing_settings():
        raise CertificateError(missing_settings_message(missing))
    config = current_app.config
    return {
        "signatory_name": str(config["CERTIFICATE_SIGNATORY_NAME"]).strip(),
        "signatory_title": str(config["CERTIFICATE_SIGNATORY_TITLE"]).strip(),
        "place": str(config["CERTIFICATE_PLACE"]).strip(),
    }


def _module_lines(cohort: Cohort) -> tuple[ModuleLine, ...]:
    """Return the path's modules with their hours and the cohort's dates (one query)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    rows = db.session.execute(
        db.select(
            Module.code,
            Module.title,
            Module.hours,
            ModuleCalendar.opens_at,
            ModuleCalendar.closes_at,
        )
        .outerjoin(
            ModuleCalendar,
            (ModuleCalendar.module_id == Module.id) & (ModuleCalendar.cohort_id == cohort.id),
        )
        .where(Module.path_id == cohort.path_id)
        .order_by(Module.position)
    )

    def day(moment: datetime | None):
        return moment.astimezone(zone).date() if moment else None

    return tuple(
        ModuleLine(code, title, hours, day(opens), day(closes))
        for code, title, hours, opens, closes in rows
    )


def build_document(
    cohort: Cohort,
    learner: User,
    *,
    number: str,
    code: str,
    issued_at: datetime,
    block: CompetencyBlock | None,
    decision: CertificationDecision | None = None,
) -> CertificateDocument:
    """Freeze what the certificate states, as plain values read now (with the day of the jury
    whose decision it follows, if a jury decided)."""
    path = cohort.path
    profile = competency_profile(learner, cohort)
    blocks = [b for b in profile.blocks if block is None or b.id == block.id]
    competencies = tuple(
        CompetencyLine(
            b.code,
            line.code,
            line.title,
            line.level or 0,
            profile.label(line.level or 0),
            line.required_level,
        )
        for b in blocks
        for line in b.competencies
    )
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return CertificateDocument(
        kind=CertificateKind.BLOCK if block else CertificateKind.PATH,
        number=number,
        learner_name=learner.display_name,
        path_title=path.title,
        path_version=path.version,
        organisation=current_app.config.get("CERTIFICATE_ORGANISATION") or path.certifier,
        issued_on=issued_at.astimezone(zone).date(),
        cohort_name=cohort.name,
        verification_url=verification_url(code),
        blocks=tuple(BlockLine(b.code, b.title) for b in blocks),
        modules=_module_lines(cohort),
        competencies=competencies,
        jury_on=decision.jury.held_on if decision and decision.jury else None,
        **_settings(),
    )


def _store_pdf(
    document: CertificateDocument, credential: PreparedCredential | None = None
) -> tuple[storage.StoredFile, str]:
    """Render the document and store the PDF under a new key; return it and the template version.

    The signed credential, when there is one, is embedded in the PDF as an associated file.
    """
    from lms.certificates import rendering  # WeasyPrint loads on first use, not at start

    try:
        pdf = rendering.render_pdf(
            document, attachment(credential.document, credential.issued_at) if credential else None
        )
    except rendering.RendererUnavailable as error:
        current_app.logger.error("certificate not rendered: %s", error)
        raise CertificateError(
            _("Certificates cannot be rendered on this server: its PDF library is missing.")
        ) from error
    pdf = sign_certificate(pdf, document)  # the organisation's signature (lms.core.pades)
    return storage.store_bytes(certificate_folder(), pdf), rendering.TEMPLATE_VERSION


def prepare_certificate(
    cohort: Cohort,
    learner: User,
    block: CompetencyBlock | None,
    issued_at: datetime,
    decision: CertificationDecision | None = None,
) -> tuple[Certificate, storage.StoredFile]:
    """Build an unsaved certificate with its document and signed credential, and store its PDF.

    The credential is saved with the certificate when the caller adds it to the session.
    """
    code, number = new_code(), new_number(issued_at)
    document = build_document(
        cohort,
        learner,
        number=number,
        code=code,
        issued_at=issued_at,
        block=block,
        decision=decision,
    )
    credential = prepare_credential(
        document,
        learner=learner,
        path_id=cohort.path_id,
        block=block,
        code=code,
        issued_at=issued_at,
    )
    stored, template_version = _store_pdf(document, credential)
    certificate = Certificate(
        number=number,
        code=code,
        kind=document.kind,
        scope=block.code if block else PATH_SCOPE,
        learner=learner,
        cohort=cohort,
        path_id=cohort.path_id,
        path_version=cohort.path.version,
        block=block,
        learner_name=learner.display_name,
        document=document_to_json(document),
        pdf_sha256=stored.sha256,
        pdf_size=stored.size,
        storage_key=stored.key,
        template_version=template_version,
        issued_at=issued_at,
    )
    record_credential(certificate, credential)
    return certificate, stored


@dataclass(frozen=True)
class Issuance:
    """What an issue request did: the learner's valid certificate, and whether it created it.

    ``created`` is false when the learner already held it, however recently: only the request
    that created a certificate tells the learner and says "issued".
    """

    certificate: Certificate
    created: bool


def issue_certificate(
    cohort: Cohort,
    learner: User,
    *,
    issued_by: User | None,
    block: CompetencyBlock | None = None,
    now: datetime | None = None,
) -> Certificate:
    """Issue the learner's path certificate (or a block attestation), exactly once.

    Returns the valid certificate the learner already holds for that scope, if any: issuing
    twice (a double click, ten concurrent requests, a batch run again) gives one certificate.
    ``issue_once`` also says whether this call created it.
    """
    return issue_once(cohort, learner, issued_by=issued_by, block=block, now=now).certificate


def issue_once(
    cohort: Cohort,
    learner: User,
    *,
    issued_by: User | None,
    block: CompetencyBlock | None = None,
    now: datetime | None = None,
) -> Issuance:
    """Issue the learner's certificate unless they hold it; say which (see ``Issuance``)."""
    require_learner(cohort, learner)
    scope = block.code if block else PATH_SCOPE
    if existing := current_certificate(learner, cohort.path_id, scope):
        return Issuance(existing, created=False)
    decision = _authorise(cohort, learner, block)
    certificate, stored = prepare_certificate(cohort, learner, block, now or utcnow(), decision)
    certificate.decision, certificate.issued_by = decision, issued_by
    try:
        lock_row_for_update(db.session, User, learner.id)
        if existing := current_certificate(learner, cohort.path_id, scope):
            storage.delete_stored(certificate_folder(), stored.key)
            return Issuance(existing, created=False)
        db.session.add(certificate)
        db.session.flush()
    except BaseException:
        storage.delete_stored(certificate_folder(), stored.key)
        raise
    record_change(issued_by, "certificate.issue", certificate)
    return Issuance(certificate, created=True)


def record_change(actor: User | None, action: str, certificate: Certificate, **after) -> None:
    """Audit and log a certificate's change of life."""
    values = {
        "number": certificate.number,
        "learner_id": certificate.learner_id,
        "scope": certificate.scope,
        "state": certificate.state.value,
        **after,
    }
    record_audit_event(actor, action, certificate, after=values)
    security_event(
        action,
        actor_id=actor.id if actor else None,
        certificate_id=certificate.id,
        learner_id=certificate.learner_id,
    )


# Finding and serving ---------------------------------------------------------------------------


def certificate_by_code(code: str) -> Certificate | None:
    """Return the certificate with this verification code, if any."""
    return db.session.scalar(db.select(Certificate).filter_by(code=code))


def certificate_by_sha256(digest: str) -> Certificate | None:
    """Return the certificate whose issued PDF has this SHA-256 (hex), if any."""
    return db.session.scalar(db.select(Certificate).filter_by(pdf_sha256=digest.lower()))


def open_certificate_pdf(certificate: Certificate) -> BinaryIO:
    """Open the certificate's stored PDF for reading; the caller closes it."""
    if certificate.storage_key is None:
        raise CertificateError(_("This certificate has no stored PDF."))
    try:
        return storage.open_stored(certificate_folder(), certificate.storage_key)
    except storage.StorageError:
        raise CertificateError(_("The PDF of this certificate is missing from storage.")) from None
