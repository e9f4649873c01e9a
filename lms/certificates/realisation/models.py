"""Produced certificats de réalisation and attestations de fin de formation.

Each production is a new row (``RealisationRecord``), numbered per learner and kind
(``version`` 1, 2, …; unique with the learner and kind): a document never changes once
produced (DESIGN.md §9), a correction or a later date makes a new version and earlier ones stay
listed. The row keeps what the PDF states (``document``, plain values: the PDF can be rebuilt
byte for byte), the SHA-256 and size of the stored PDF/A, the period it covers (``as_of`` is the
last day counted), the minutes realised and their remote share, and who funded the learner when
it was produced. ``created_by`` is None for a batch run by a job without a requester.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.certificates.models import IssuanceBatch
from lms.certificates.realisation.document import DocumentKind
from lms.cohorts.models import Cohort, Funder
from lms.core.db import UTCDateTime
from lms.core.enums import enum_column_type
from lms.core.time import utcnow
from lms.extensions import db


class RealisationRecord(db.Model):
    """One produced document (a PDF/A): a learner's certificat de réalisation or attestation."""

    __tablename__ = "realisation_records"
    __table_args__ = (
        UniqueConstraint("learner_id", "kind", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("ends_on >= starts_on AND as_of >= ends_on", name="period_ordered"),
        CheckConstraint(
            "remote_minutes >= 0 AND realised_minutes >= remote_minutes",
            name="minutes_consistent",
        ),
        CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column_type(DocumentKind, "realisation_kind"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="RESTRICT"), index=True
    )
    version: Mapped[int]
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    as_of: Mapped[date]
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    realised_minutes: Mapped[int]
    remote_minutes: Mapped[int]
    funder: Mapped[Funder | None] = mapped_column(enum_column_type(Funder, "funder"))
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    storage_key: Mapped[str] = mapped_column(String(32), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    template_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The batch that produced it, if one did (a batch run again skips who it already served).
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("issuance_batches.id", ondelete="SET NULL"), index=True
    )

    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    cohort: Mapped[Cohort] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    batch: Mapped[IssuanceBatch | None] = relationship()

    def __repr__(self) -> str:
        return f"<RealisationRecord {self.reference}>"

    @property
    def realised_hours(self) -> float:
        return self.realised_minutes / 60

    def can_download(self, user: User) -> bool:
        """The learner downloads their own documents; administrators any."""
        if not user.is_authenticated:
            return False
        return bool(user.is_admin) or self.learner_id == user.id
