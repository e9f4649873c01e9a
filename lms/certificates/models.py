"""Certification decisions, issued certificates and batches of issuance.

A learner's certification is decided by an administrator, or by a jury when the path declares
one (``lms.certificates.jury``) (``CertificationDecision``, append
only: the latest decision counts, earlier ones stay as history). Issuing follows the decision
and creates a ``Certificate``: its number, an unguessable verification code, the document it
states (frozen as plain values, see ``lms.certificates.document``), the SHA-256 of the PDF and
the key it is stored under. The database keeps the rules:

- one *valid* certificate per learner, path and scope (the path, or one block) — a partial
  unique index, the last guard of "exactly once" (SECURITY.md G29);
- revoked and superseded certificates keep their record, with when and why;
- an override (awarding a learner who is not eligible) always carries a reason.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.certificates.document import CertificateKind
from lms.certificates.jury.models import Jury, split_codes
from lms.certificates.realisation.document import DocumentKind
from lms.cohorts.models import Cohort, Funder
from lms.core.db import UTCDateTime
from lms.core.enums import enum_column_type
from lms.core.time import utcnow
from lms.curriculum.models import CompetencyBlock, TrainingPath
from lms.extensions import db

# The scope of a path certificate; a block attestation's scope is its block's code.
PATH_SCOPE = "path"


class DecisionOutcome(StrEnum):
    AWARDED = "awarded"
    PARTIAL = "partial"  # some blocks validated (« validation partielle »), by a jury
    DEFERRED = "deferred"
    REFUSED = "refused"


class CertificateState(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class BatchState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class CertificationDecision(db.Model):
    """An administrator's decision on a learner's certification, with the evidence it saw."""

    __tablename__ = "certification_decisions"
    __table_args__ = (
        CheckConstraint("outcome = 'awarded' OR NOT is_override", name="override_awards"),
        CheckConstraint(
            "(outcome = 'awarded' AND NOT is_override) OR length(trim(reason)) > 0",
            name="reason_given",
        ),
        CheckConstraint(
            "(outcome = 'partial' AND length(validated_blocks) > 0)"
            " OR (outcome <> 'partial' AND validated_blocks = '')",
            name="partial_names_blocks",
        ),
        Index("ix_certification_decisions_learner_cohort", "learner_id", "cohort_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="RESTRICT"))
    outcome: Mapped[DecisionOutcome] = mapped_column(
        enum_column_type(DecisionOutcome, "decision_outcome")
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    # Awarded although the eligibility rules said no: the reason says why (SECURITY.md G28).
    is_override: Mapped[bool] = mapped_column(default=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the eligibility report said when the decision was made (plain values, frozen).
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The jury that took the decision (paths that declare one), and the blocks a partial
    # decision validates, space-separated ("BC1 BC2").
    jury_id: Mapped[int | None] = mapped_column(
        ForeignKey("juries.id", ondelete="RESTRICT"), index=True
    )
    validated_blocks: Mapped[str] = mapped_column(String(200), default="")

    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    cohort: Mapped[Cohort] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    jury: Mapped[Jury | None] = relationship()

    def __repr__(self) -> str:
        return f"<CertificationDecision {self.outcome} learner={self.learner_id}>"

    @property
    def awards(self) -> bool:
        """Tell whether this decision awards the path certificate (and so allows issuing it)."""
        return self.outcome == DecisionOutcome.AWARDED

    @property
    def block_codes(self) -> tuple[str, ...]:
        """Return the blocks a partial decision validates (none for other outcomes)."""
        return split_codes(self.validated_blocks)


class Certificate(db.Model):
    """An issued certificate (path) or attestation (block), valid, revoked or superseded."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'path' AND block_id IS NULL AND scope = 'path')"
            " OR (kind = 'block' AND block_id IS NOT NULL AND scope <> 'path')",
            name="kind_matches_scope",
        ),
        CheckConstraint(
            "state <> 'revoked'"
            " OR (revoked_at IS NOT NULL AND length(trim(revocation_reason)) > 0)",
            name="revocation_recorded",
        ),
        CheckConstraint(
            "state <> 'superseded' OR superseded_at IS NOT NULL", name="supersession_recorded"
        ),
        Index(
            "uq_certificates_current",
            "learner_id",
            "path_id",
            "scope",
            unique=True,
            sqlite_where=text("state = 'valid'"),
            postgresql_where=text("state = 'valid'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Set right after the row is inserted, from its id, in the same transaction.
    number: Mapped[str | None] = mapped_column(String(40), unique=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[CertificateKind] = mapped_column(
        enum_column_type(CertificateKind, "certificate_kind")
    )
    scope: Mapped[str] = mapped_column(String(20))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="RESTRICT"))
    path_id: Mapped[int] = mapped_column(ForeignKey("training_paths.id", ondelete="RESTRICT"))
    path_version: Mapped[int]
    block_id: Mapped[int | None] = mapped_column(
        ForeignKey("competency_blocks.id", ondelete="RESTRICT")
    )
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("certification_decisions.id", ondelete="RESTRICT")
    )
    learner_name: Mapped[str] = mapped_column(String(200))
    # The document the PDF states (lms.certificates.document, as JSON): the PDF can be rebuilt.
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[CertificateState] = mapped_column(
        enum_column_type(CertificateState, "certificate_state"), default=CertificateState.VALID
    )
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None]
    storage_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    template_version: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revocation_reason: Mapped[str] = mapped_column(Text, default="")
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The certificate this one replaces (a re-issue, e.g. after a name correction).
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="RESTRICT"), unique=True
    )

    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    cohort: Mapped[Cohort] = relationship()
    path: Mapped[TrainingPath] = relationship()
    block: Mapped[CompetencyBlock | None] = relationship()
    decision: Mapped[CertificationDecision | None] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    supersedes: Mapped[Certificate | None] = relationship(
        remote_side=[id], back_populates="superseded_by"
    )
    superseded_by: Mapped[Certificate | None] = relationship(back_populates="supersedes")

    def __repr__(self) -> str:
        return f"<Certificate {self.number or '?'} {self.state}>"

    @property
    def is_valid(self) -> bool:
        return self.state == CertificateState.VALID

    def can_download(self, user: User) -> bool:
        """The learner downloads their own valid certificates; administrators any stored one."""
        if not user.is_authenticated or self.storage_key is None:
            return False
        if user.is_admin:
            return True
        return self.learner_id == user.id and self.is_valid


class IssuanceBatch(db.Model):
    """Issuing every awarded learner of a cohort, followed on a progress page.

    The same batches produce certificats de réalisation and attestations de fin de formation
    (``lms.certificates.realisation``): ``document_kind`` says which, ``as_of`` the last day they
    cover and ``funder`` the funder whose learners they are for (None: every learner). A batch of
    certificates has none of them.
    """

    __tablename__ = "issuance_batches"
    __table_args__ = (
        CheckConstraint("total >= 0 AND issued >= 0 AND failed >= 0", name="counts_positive"),
        CheckConstraint("issued + failed <= total", name="counts_within_total"),
        CheckConstraint(
            "(document_kind IS NULL) = (as_of IS NULL)"
            " AND (document_kind IS NOT NULL OR funder IS NULL)",
            name="document_batch_dated",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="RESTRICT"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[BatchState] = mapped_column(
        enum_column_type(BatchState, "batch_state"), default=BatchState.QUEUED
    )
    # The learners to issue, fixed when the batch is created (ids), and how far it went.
    learner_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    total: Mapped[int] = mapped_column(default=0)
    issued: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    job_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    document_kind: Mapped[DocumentKind | None] = mapped_column(
        enum_column_type(DocumentKind, "realisation_kind")
    )
    as_of: Mapped[date | None]
    funder: Mapped[Funder | None] = mapped_column(enum_column_type(Funder, "funder"))

    cohort: Mapped[Cohort] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def done(self) -> int:
        return self.issued + self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100
