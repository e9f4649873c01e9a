"""The learner's dossier: one ZIP archive per build with everything that proves their path.

A ``LearnerDossier`` row is one **build** of one learner's dossier in one cohort. Requesting a
dossier records a row ``queued``; the job (``lms.quality.dossiers.jobs``) takes it ``building``,
writes the archive to storage and marks it ``ready`` with the archive's storage key, SHA-256
and size, or ``failed`` with a message. A ready archive never changes (DESIGN.md §9): building
again makes a new row with the next ``version`` for that learner and cohort.

The database keeps the rules: versions are unique per learner and cohort; at most one build
per learner and cohort is under way (``queued`` or ``building``: a partial unique index, so that
two requests at once cannot start two); a ready build has its key, digest, size and end time,
a failed one its message and end time, and no other state has a key.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.core.db import UTCDateTime
from lms.core.enums import enum_column_type
from lms.core.time import utcnow
from lms.extensions import Model


class DossierState(StrEnum):
    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


# States of a build still under way: one at most per learner and cohort.
LIVE_STATES = (DossierState.QUEUED, DossierState.BUILDING)
LIVE_WHERE = "state IN ('queued', 'building')"


class LearnerDossier(Model):
    """One build of a learner's dossier in a cohort (see the module docstring)."""

    __tablename__ = "learner_dossiers"
    __table_args__ = (
        UniqueConstraint("learner_id", "cohort_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "state <> 'ready' OR (storage_key IS NOT NULL AND sha256 IS NOT NULL"
            " AND size IS NOT NULL AND finished_at IS NOT NULL)",
            name="ready_recorded",
        ),
        CheckConstraint(
            "state = 'ready' OR (storage_key IS NULL AND sha256 IS NULL AND size IS NULL)",
            name="archive_only_when_ready",
        ),
        CheckConstraint(
            "state <> 'failed' OR (error <> '' AND finished_at IS NOT NULL)",
            name="failure_explained",
        ),
        CheckConstraint("size IS NULL OR size > 0", name="size_positive"),
        Index(
            "uq_learner_dossiers_live",
            "learner_id",
            "cohort_id",
            unique=True,
            sqlite_where=text(LIVE_WHERE),
            postgresql_where=text(LIVE_WHERE),
        ),
        Index("ix_learner_dossiers_cohort_learner", "cohort_id", "learner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    version: Mapped[int]
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[DossierState] = mapped_column(
        enum_column_type(DossierState, "dossier_state"), default=DossierState.QUEUED
    )
    # Why the build failed, in words for an operator (empty unless failed).
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    storage_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None]

    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    cohort: Mapped[Cohort] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES

    @property
    def is_ready(self) -> bool:
        return self.state == DossierState.READY

    def __repr__(self) -> str:
        return (
            f"<LearnerDossier {self.id} learner={self.learner_id} cohort={self.cohort_id}"
            f" v{self.version} {self.state}>"
        )
