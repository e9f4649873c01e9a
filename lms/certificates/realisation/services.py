"""Producing a learner's certificat de réalisation or attestation de fin de formation.

``produce_document`` reads the database once (the training organisation's settings, the
learner's membership and funder, the hours realised up to the day asked, and for the
attestation the competency profile and the certification decision), freezes it into a
``RealisationDocument``, renders it to PDF/A, stores the PDF with its SHA-256 and records a new
``RealisationRecord`` version. It flushes and never commits (the caller's unit of work does), and
removes the stored PDF if the row cannot be written. Every production is audited.

A document may be produced at any date of the cohort, not later than today: the period covered
runs from the cohort's first day to that date (or the cohort's last day, if earlier), and the
hours are those realised by then (``lms.attendance.hours``): sessions attended on closed sheets
and the remote hours credited for completed modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.attendance.hours import learner_attendance
from lms.certificates.context import format_day
from lms.certificates.decisions import latest_decision
from lms.certificates.errors import CertificateError
from lms.certificates.models import CertificationDecision, DecisionOutcome, IssuanceBatch
from lms.certificates.realisation.document import (
    BlockResult,
    CompetencyResult,
    DocumentKind,
    RealisationDocument,
    document_to_json,
)
from lms.certificates.realisation.models import RealisationRecord
from lms.certificates.realisation.settings import settings_problems, training_organisation
from lms.certificates.signing import sign_realisation
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core import storage
from lms.core.db import lock_row_for_update
from lms.core.time import local_today, organisation_timezone, utcnow
from lms.extensions import db
from lms.learning.competencies import CompetencyStatus, competency_profile

REFERENCE_PREFIXES = {DocumentKind.REALISATION: "CR", DocumentKind.COMPLETION: "AFF"}
LANGUAGES = ("fr", "en")


class RealisationError(CertificateError):
    """A document cannot be produced: the message says why, for the person who asked."""


def realisation_folder() -> Path:
    """Return the folder of stored certificats de réalisation and attestations."""
    return Path(current_app.instance_path) / "realisation"


def require_settings() -> None:
    """Refuse, naming what to set and where, while the training organisation is not configured."""
    if problems := settings_problems():
        raise RealisationError(" ".join(problems))


def learner_membership(cohort: Cohort, learner: User) -> Membership:
    """Return the learner's membership of the cohort, or refuse someone who is not its learner."""
    membership = db.session.scalar(
        db.select(Membership).filter_by(
            cohort_id=cohort.id, user_id=learner.id, role=MembershipRole.LEARNER
        )
    )
    if membership is None:
        raise RealisationError(
            _(
                "%(name)s is not a learner of %(cohort)s.",
                name=learner.display_name,
                cohort=cohort.name,
            )
        )
    return membership


def covered_period(cohort: Cohort, as_of: date) -> tuple[date, date]:
    """Return the period a document made ``as_of`` covers, or refuse a day outside the cohort.

    The day may not be after today (hours not yet realised cannot be certified) nor before the
    cohort's first day; after the cohort's last day, the period stops on that day.
    """
    today = local_today()
    if as_of > today:
        raise RealisationError(
            _(
                "The date %(date)s is in the future: choose today or an earlier day.",
                date=as_of.isoformat(),
            )
        )
    if as_of < cohort.starts_on:
        raise RealisationError(
            _(
                "The date %(date)s is before the cohort starts (%(start)s).",
                date=as_of.isoformat(),
                start=cohort.starts_on.isoformat(),
            )
        )
    return cohort.starts_on, min(as_of, cohort.ends_on)


def document_language(learner: User) -> str:
    """Return the language of the learner's documents: theirs when known, French otherwise."""
    return learner.locale if learner.locale in LANGUAGES else "fr"


def decision_words(decision: CertificationDecision | None, language: str) -> str:
    """Say the certification decision in words, in the current locale ("" when none)."""
    if decision is None:
        return ""
    zone = organisation_timezone()
    day = format_day(decision.decided_at.astimezone(zone).date(), "long", language)
    if decision.outcome == DecisionOutcome.AWARDED:
        return _("Certification awarded (full validation), decided on %(date)s.", date=day)
    if decision.outcome == DecisionOutcome.PARTIAL:
        return _(
            "Partial validation (blocks %(blocks)s), decided on %(date)s.",
            blocks=", ".join(decision.block_codes),
            date=day,
        )
    if decision.outcome == DecisionOutcome.DEFERRED:
        return _("Certification deferred, decided on %(date)s.", date=day)
    return _("Certification refused, decided on %(date)s.", date=day)


def _results(cohort: Cohort, learner: User) -> tuple[BlockResult, ...]:
    """Return the learner's blocks with the levels reached (the attestation's results)."""
    profile = competency_profile(learner, cohort)
    return tuple(
        BlockResult(
            code=block.code,
            title=block.title,
            competencies=tuple(
                CompetencyResult(
                    code=line.code,
                    title=line.title,
                    level_label=profile.label(line.level) if line.level is not None else "",
                    required_label=profile.label(line.required_level),
                    attained=line.status == CompetencyStatus.ATTAINED,
                )
                for line in block.competencies
            ),
        )
        for block in profile.blocks
    )


def build_document(
    cohort: Cohort,
    learner: User,
    kind: DocumentKind,
    as_of: date,
    *,
    reference: str,
    made_on: date,
) -> RealisationDocument:
    """Freeze what the document states, as plain values read now."""
    require_settings()
    organisation = training_organisation()
    assert organisation is not None  # no problem left: every setting is set and well formed
    starts_on, ends_on = covered_period(cohort, as_of)
    hours = learner_attendance(cohort, learner, as_of=ends_on)
    path = cohort.path
    language = document_language(learner)
    extra: dict = {}
    if kind == DocumentKind.COMPLETION:
        with force_locale(language):
            decision = decision_words(latest_decision(cohort, learner), language)
        objectives = path.description.strip() or "\n".join(
            f"{block.code} · {block.title}" for block in path.blocks
        )
        extra = {
            "objectives": objectives,
            "blocks": _results(cohort, learner),
            "decision": decision,
        }
    return RealisationDocument(
        kind=kind,
        reference=reference,
        organisation=organisation.name,
        nda=organisation.nda,
        siret=organisation.siret,
        address=organisation.address,
        representative_name=organisation.representative_name,
        representative_title=organisation.representative_title,
        learner_name=learner.display_name,
        employer="",
        path_title=path.title,
        path_version=path.version,
        cohort_name=cohort.name,
        starts_on=starts_on,
        ends_on=ends_on,
        realised_minutes=hours.realised_minutes,
        remote_minutes=hours.distance_minutes,
        place=organisation.place,
        made_on=made_on,
        language=language,
        **extra,
    )


def next_version(learner: User, kind: DocumentKind) -> int:
    """Return the learner's next version number of this kind of document."""
    latest = db.session.scalar(
        db.select(db.func.max(RealisationRecord.version)).filter_by(
            learner_id=learner.id, kind=kind
        )
    )
    return (latest or 0) + 1


def render_pdf(document: RealisationDocument) -> tuple[bytes, str]:
    """Render the document; return the PDF and the template version, or refuse when impossible."""
    from lms.certificates import rendering  # WeasyPrint loads on first use, not at start
    from lms.certificates.realisation.rendering import (
        realisation_template_version,
        render_realisation,
    )

    try:
        pdf = render_realisation(document)
    except rendering.RendererUnavailable as error:
        current_app.logger.error("realisation document not rendered: %s", error)
        raise RealisationError(
            _("Certificates cannot be rendered on this server: its PDF library is missing.")
        ) from error
    return pdf, realisation_template_version()


def produce_document(
    cohort: Cohort,
    learner: User,
    kind: DocumentKind,
    as_of: date,
    *,
    created_by: User | None,
    batch: IssuanceBatch | None = None,
) -> RealisationRecord:
    """Produce and store a new version of the learner's document (flush only, audited)."""
    require_settings()
    membership = learner_membership(cohort, learner)
    covered_period(cohort, as_of)
    # Two productions for one learner at once: the second waits here, then takes the next number.
    lock_row_for_update(db.session, User, learner.id)
    version = next_version(learner, kind)
    reference = f"{REFERENCE_PREFIXES[kind]}-{cohort.id}-{learner.id}-{version}"
    now = utcnow()
    document = build_document(
        cohort, learner, kind, as_of, reference=reference, made_on=local_today()
    )
    pdf, template_version = render_pdf(document)
    stored = storage.store_bytes(realisation_folder(), sign_realisation(pdf, document))
    record = RealisationRecord(
        kind=kind,
        learner=learner,
        cohort=cohort,
        version=version,
        reference=reference,
        as_of=as_of,
        starts_on=document.starts_on,
        ends_on=document.ends_on,
        realised_minutes=document.realised_minutes,
        remote_minutes=document.remote_minutes,
        funder=membership.funder,
        document=document_to_json(document),
        storage_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        template_version=template_version,
        created_at=now,
        created_by=created_by,
        batch=batch,
    )
    try:
        db.session.add(record)
        db.session.flush()
        after = {
            "reference": reference,
            "kind": kind.value,
            "learner_id": learner.id,
            "cohort_id": cohort.id,
            "as_of": as_of.isoformat(),
            "realised_minutes": record.realised_minutes,
            "remote_minutes": record.remote_minutes,
            "sha256": stored.sha256,
        }
        record_audit_event(created_by, "realisation.produce", record, after=after)
    except BaseException:
        storage.delete_stored(realisation_folder(), stored.key)
        raise
    return record


# Batches (lms.certificates.batches runs them) ---------------------------------------------------


def served_learners(batch: IssuanceBatch) -> Sequence[int]:
    """Return the batch's learners it already produced a document for (one query)."""
    query = db.select(RealisationRecord.learner_id).where(RealisationRecord.batch_id == batch.id)
    return list(set(db.session.scalars(query)))


def produce_for_batch(
    batch: IssuanceBatch, learner: User, record_progress: Callable[..., None]
) -> str:
    """Produce the learner's document for the batch and commit it with the batch's new counts
    (``record_progress``); return "held" when the batch already served the learner, else
    "issued". The stored PDF is removed if the commit fails: no file without its row."""
    assert batch.document_kind is not None
    assert batch.as_of is not None
    served = db.session.scalar(
        db.select(RealisationRecord.id).filter_by(batch_id=batch.id, learner_id=learner.id)
    )
    if served is not None:  # produced by an earlier run of this batch
        record_progress(batch.id)
        return "held"
    record = produce_document(
        batch.cohort,
        learner,
        batch.document_kind,
        batch.as_of,
        created_by=batch.requested_by,
        batch=batch,
    )
    key = record.storage_key
    try:
        record_progress(batch.id, done=learner.id)
    except BaseException:
        db.session.rollback()
        if db.session.scalar(db.select(RealisationRecord.id).filter_by(storage_key=key)) is None:
            storage.delete_stored(realisation_folder(), key)
        raise
    return "issued"


# Finding and serving ---------------------------------------------------------------------------


def learner_records(learner: User, cohort: Cohort | None = None) -> list[RealisationRecord]:
    """Return the learner's documents (in one cohort, if given), the latest first."""
    query = db.select(RealisationRecord).filter_by(learner_id=learner.id)
    if cohort is not None:
        query = query.filter_by(cohort_id=cohort.id)
    query = query.options(db.joinedload(RealisationRecord.cohort))
    return list(
        db.session.scalars(
            query.order_by(RealisationRecord.created_at.desc(), RealisationRecord.id.desc())
        )
    )


def cohort_records(cohort: Cohort) -> dict[int, list[RealisationRecord]]:
    """Return the cohort's documents by learner id, the latest first (one query)."""
    query = (
        db.select(RealisationRecord)
        .filter_by(cohort_id=cohort.id)
        .order_by(RealisationRecord.created_at.desc(), RealisationRecord.id.desc())
    )
    records: dict[int, list[RealisationRecord]] = {}
    for record in db.session.scalars(query):
        records.setdefault(record.learner_id, []).append(record)
    return records


def open_record_pdf(record: RealisationRecord) -> BinaryIO:
    """Open the document's stored PDF for reading; the caller closes it."""
    try:
        return storage.open_stored(realisation_folder(), record.storage_key)
    except storage.StorageError:
        raise RealisationError(_("The PDF of this document is missing from storage.")) from None


def record_download(actor: User, record: RealisationRecord) -> None:
    """Audit a download of a document by someone other than its learner (flush only)."""
    record_audit_event(actor, "realisation.download", record, after={"reference": record.reference})


def learners_of(cohort: Cohort, funder: object | None = None) -> Iterable[tuple[User, Membership]]:
    """Return the cohort's learners with their memberships (of one funder, if given), by name."""
    query = (
        db.select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort.id, Membership.role == MembershipRole.LEARNER)
    )
    if funder is not None:
        query = query.where(Membership.funder == funder)
    return list(db.session.execute(query.order_by(User.display_name, User.id)).tuples())
