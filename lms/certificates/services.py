"""Certification use cases: decide, issue exactly once, revoke, re-issue, find.

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
from lms.certificates.document import (
    BlockLine,
    CertificateDocument,
    CertificateKind,
    CompetencyLine,
    ModuleLine,
    document_to_json,
)
from lms.certificates.eligibility import learner_eligibility
from lms.certificates.models import (
    PATH_SCOPE,
    Certificate,
    CertificateState,
    CertificationDecision,
    DecisionOutcome,
)
from lms.cohorts.access import is_learner_of
from lms.cohorts.models import Cohort, Membership, MembershipRole, ModuleCalendar
from lms.core import storage
from lms.core.db import lock_row_for_update
from lms.core.logging import security_event
from lms.core.text import text_problem
from lms.core.time import utcnow
from lms.curriculum.models import CompetencyBlock, Module
from lms.extensions import db
from lms.learning.competencies import competency_profile

# Crockford's base32 alphabet: no I, L, O or U to misread on paper.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class CertificateError(Exception):
    """A certification step cannot be done; the message says why, to the person acting."""


# Decisions -------------------------------------------------------------------------------------


def _latest_decisions_query(cohort: Cohort):
    return (
        db.select(CertificationDecision)
        .filter_by(cohort_id=cohort.id)
        .order_by(CertificationDecision.decided_at, CertificationDecision.id)
    )


def latest_decisions(cohort: Cohort) -> dict[int, CertificationDecision]:
    """Return the latest decision of every learner of the cohort who has one, by learner id."""
    latest: dict[int, CertificationDecision] = {}
    for decision in db.session.scalars(_latest_decisions_query(cohort)):
        latest[decision.learner_id] = decision  # in order: the last one wins
    return latest


def _learner_decisions_query(cohort: Cohort, learner: User):
    return (
        db.select(CertificationDecision)
        .filter_by(cohort_id=cohort.id, learner_id=learner.id)
        .order_by(CertificationDecision.decided_at.desc(), CertificationDecision.id.desc())
    )


def latest_decision(cohort: Cohort, learner: User) -> CertificationDecision | None:
    """Return the learner's latest decision in the cohort, if any."""
    return db.session.scalars(_learner_decisions_query(cohort, learner).limit(1)).first()


def decision_history(cohort: Cohort, learner: User) -> list[CertificationDecision]:
    """Return every decision about the learner in the cohort, the latest first."""
    return list(db.session.scalars(_learner_decisions_query(cohort, learner)))


def _require_learner(cohort: Cohort, learner: User) -> None:
    # One indexed query: issuing a batch must not load every membership of the cohort.
    if not is_learner_of(learner, cohort):
        raise CertificateError(
            _("%(name)s is not a learner of this cohort.", name=learner.display_name)
        )


def record_decision(
    cohort: Cohort,
    learner: User,
    *,
    outcome: DecisionOutcome,
    reason: str,
    decided_by: User | None,
    now: datetime | None = None,
) -> CertificationDecision:
    """Record the certification decision on a learner, with the evidence seen at that moment.

    ``decided_by`` is empty for an automatic decision (``LMS_CERTIFICATES_AUTO_ISSUE``).

    Awarding a learner who is not eligible is an override: it needs a reason and is audited
    as such (SECURITY.md G28). Deferring or refusing always needs a reason, for the learner.
    """
    _require_learner(cohort, learner)
    now = now or utcnow()
    reason = _checked_reason(reason)
    eligibility = learner_eligibility(cohort, learner, now)
    is_override = outcome == DecisionOutcome.AWARDED and not eligibility.is_eligible
    if is_override and not reason:
        raise CertificateError(
            _("This learner is not eligible: awarding the certificate anyway needs a reason.")
        )
    if outcome != DecisionOutcome.AWARDED and not reason:
        raise CertificateError(_("Say why the certification is deferred or refused."))
    decision = CertificationDecision(
        learner=learner,
        cohort=cohort,
        outcome=outcome,
        reason=reason,
        is_override=is_override,
        decided_by=decided_by,
        decided_at=now,
        snapshot={"computed_at": now.isoformat(), **eligibility.snapshot()},
    )
    db.session.add(decision)
    db.session.flush()
    action = "certification.override" if is_override else "certification.decide"
    after = {"learner_id": learner.id, "outcome": outcome.value, "reason": reason}
    record_audit_event(decided_by, action, decision, after=after)
    actor_id = decided_by.id if decided_by else None
    security_event(action, actor_id=actor_id, learner_id=learner.id, outcome=outcome.value)
    return decision


def awarded_without_certificate(cohort: Cohort) -> list[User]:
    """Return the learners whose latest decision awards them and who hold no valid certificate."""
    awarded = [
        decision.learner_id for decision in latest_decisions(cohort).values() if decision.awards
    ]
    if not awarded:
        return []
    holders = db.select(Certificate.learner_id).filter_by(
        path_id=cohort.path_id, scope=PATH_SCOPE, state=CertificateState.VALID
    )
    return list(
        db.session.scalars(
            db.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.cohort_id == cohort.id,
                Membership.role == MembershipRole.LEARNER,
                User.id.in_(awarded),
                User.id.not_in(holders),
            )
            .order_by(User.display_name, User.id)
        )
    )


# Issuance --------------------------------------------------------------------------------------


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
        judged = learner_eligibility(cohort, learner).block(block.code)
        if judged is None or not judged.is_eligible:
            raise CertificateError(
                _(
                    "%(name)s has not validated the block %(code)s.",
                    name=learner.display_name,
                    code=block.code,
                )
            )
        return latest_decision(cohort, learner)
    decision = latest_decision(cohort, learner)
    if decision is None or not decision.awards:
        raise CertificateError(
            _("No decision awards the certificate to %(name)s yet.", name=learner.display_name)
        )
    return decision


def _settings() -> dict[str, str]:
    """Return who certifies, where, and who signs; refuse to issue when one is not set."""
    names = {
        "signatory_name": "CERTIFICATE_SIGNATORY_NAME",
        "signatory_title": "CERTIFICATE_SIGNATORY_TITLE",
        "place": "CERTIFICATE_PLACE",
    }
    values = {}
    for field, setting in names.items():
        value = (current_app.config.get(setting) or "").strip()
        if not value:
            raise CertificateError(
                _("Set LMS_%(setting)s before issuing certificates.", setting=setting)
            )
        values[field] = value
    return values


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
) -> CertificateDocument:
    """Freeze what the certificate states, as plain values read now."""
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
        **_settings(),
    )


def _store_pdf(document: CertificateDocument) -> tuple[storage.StoredFile, str]:
    """Render the document and store the PDF under a new key; return it and the template version."""
    from lms.certificates import rendering  # WeasyPrint loads on first use, not at start

    try:
        pdf = rendering.render_pdf(document)
    except rendering.RendererUnavailable as error:
        current_app.logger.error("certificate not rendered: %s", error)
        raise CertificateError(
            _("Certificates cannot be rendered on this server: its PDF library is missing.")
        ) from error
    return storage.store_bytes(certificate_folder(), pdf), rendering.TEMPLATE_VERSION


def _prepare(
    cohort: Cohort, learner: User, block: CompetencyBlock | None, issued_at: datetime
) -> tuple[Certificate, storage.StoredFile]:
    """Build an unsaved certificate with its document, and store its PDF."""
    code, number = new_code(), new_number(issued_at)
    document = build_document(
        cohort, learner, number=number, code=code, issued_at=issued_at, block=block
    )
    stored, template_version = _store_pdf(document)
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
    _require_learner(cohort, learner)
    scope = block.code if block else PATH_SCOPE
    if existing := current_certificate(learner, cohort.path_id, scope):
        return Issuance(existing, created=False)
    decision = _authorise(cohort, learner, block)
    certificate, stored = _prepare(cohort, learner, block, now or utcnow())
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
    _record(issued_by, "certificate.issue", certificate)
    return Issuance(certificate, created=True)


def _record(actor: User | None, action: str, certificate: Certificate, **after) -> None:
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


def _checked_reason(reason: str | None) -> str:
    """Return the reason without surrounding spaces, or refuse characters it may not hold."""
    if problem := text_problem(reason, multiline=True):
        raise CertificateError(problem)
    return (reason or "").strip()


def revoke_certificate(
    certificate: Certificate, *, revoked_by: User, reason: str, now: datetime | None = None
) -> None:
    """Revoke a valid certificate: its record stays, its PDF is no longer served."""
    reason = _checked_reason(reason)
    if not certificate.is_valid:
        raise CertificateError(_("Only a valid certificate can be revoked."))
    if not reason:
        raise CertificateError(_("Say why the certificate is revoked."))
    certificate.state = CertificateState.REVOKED
    certificate.revoked_at = now or utcnow()
    certificate.revoked_by = revoked_by
    certificate.revocation_reason = reason
    db.session.flush()
    _record(revoked_by, "certificate.revoke", certificate, reason=reason)


def reissue_certificate(
    certificate: Certificate, *, issued_by: User, reason: str, now: datetime | None = None
) -> Certificate:
    """Issue a new certificate that supersedes a valid one (e.g. after a name correction).

    The new document is read afresh (name, levels, calendar); the decision stays the one that
    allowed the first issue, so a re-issue never needs a new decision.
    """
    reason = _checked_reason(reason)
    if not certificate.is_valid:
        raise CertificateError(_("Only a valid certificate can be re-issued."))
    if not reason:
        raise CertificateError(_("Say why the certificate is re-issued."))
    now = now or utcnow()
    replacement, stored = _prepare(certificate.cohort, certificate.learner, certificate.block, now)
    replacement.decision, replacement.issued_by = certificate.decision, issued_by
    try:
        lock_row_for_update(db.session, User, certificate.learner_id)
        db.session.refresh(certificate)
        if not certificate.is_valid:
            raise CertificateError(_("This certificate was changed meanwhile; reload the page."))
        certificate.state, certificate.superseded_at = CertificateState.SUPERSEDED, now
        db.session.flush()  # the old one leaves the unique index before the new one enters it
        replacement.supersedes = certificate
        db.session.add(replacement)
        db.session.flush()
    except BaseException:
        storage.delete_stored(certificate_folder(), stored.key)
        raise
    _record(
        issued_by, "certificate.reissue", replacement, reason=reason, supersedes=certificate.number
    )
    return replacement


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
