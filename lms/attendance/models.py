"""Attendance rows: the path's attendance rules, the sessions of a cohort, their sheets and records.

A **session** (``TrainingSession``, usually a half-day) belongs to one cohort and one module, runs
from ``starts_at`` to ``ends_at`` (stored in UTC, typed and shown in the organisation's time zone),
in person at a ``place`` or remote live at a ``link``, led by one or more trainers. Each session
has at most one **attendance sheet**, opened for signing around the session and then closed by a
trainer: a closed sheet is frozen (its records change only through an administrator's audited
correction) and each closing or correction writes a new **document** version, a PDF/A whose
SHA-256 is recorded; earlier versions are kept.

The database keeps what it can: a session ends after it starts and has a place when in person, a
link when remote; one sheet per session, one record per learner and sheet, one document per sheet
and version; a closed sheet has its closing time and trainer; a late arrival has its time, an
excused absence its reason. ``AttendanceSheet`` and ``AttendanceRecord`` carry an optimistic lock
(``version_id``): a write based on a stale read raises ``StaleDataError`` (answered 409).

The path's rules (``PathAttendance``, ``ModuleAttendance``) come from the path-definition file
(``lms.attendance.definition``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.core.db import UTCDateTime
from lms.core.enums import enum_column_type
from lms.core.time import utcnow
from lms.curriculum.models import Module
from lms.extensions import db


class Modality(StrEnum):
    IN_PERSON = "in_person"  # at a place
    REMOTE = "remote"  # remote live (classe virtuelle), at a link


class SheetState(StrEnum):
    OPEN = "open"  # learners sign (within the signing window), trainers mark
    CLOSED = "closed"  # signed by a trainer and frozen; only an administrator corrects it


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"  # present, arrived at ``arrived_at``
    ABSENT = "absent"
    EXCUSED = "excused"  # absent with a reason (and maybe a supporting file)

    @property
    def attended(self) -> bool:
        """Whether the session's hours count as attended (realised)."""
        return self in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class RecordedBy(StrEnum):
    CODE = "code"  # the learner signed with the code the trainer showed
    TRAINER = "trainer"  # a trainer of the session marked the learner
    CORRECTION = "correction"  # an administrator corrected a closed sheet


class PathAttendance(db.Model):
    """The minimum attendance a path requires over all its sessions, in percent of their hours."""

    __tablename__ = "path_attendance"
    __table_args__ = (
        CheckConstraint("minimum_percent BETWEEN 1 AND 100", name="minimum_is_percentage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(
        ForeignKey("training_paths.id", ondelete="CASCADE"), unique=True
    )
    minimum_percent: Mapped[int]


class ModuleAttendance(db.Model):
    """A module's attendance rules: a minimum share of its session hours and remote hours.

    ``remote_hours``: hours credited as realised for the module's remote asynchronous work, once
    the learner has completed its required lessons and assessments (the certificat de
    réalisation's remote share).
    """

    __tablename__ = "module_attendance"
    __table_args__ = (
        CheckConstraint(
            "minimum_percent IS NULL OR minimum_percent BETWEEN 1 AND 100",
            name="minimum_is_percentage",
        ),
        CheckConstraint("remote_hours >= 0", name="remote_hours_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("modules.id", ondelete="CASCADE"), unique=True
    )
    minimum_percent: Mapped[int | None]
    remote_hours: Mapped[int] = mapped_column(default=0)

    module: Mapped[Module] = relationship()


session_trainers = Table(
    "training_session_trainers",
    db.metadata,
    Column(
        "session_id",
        Integer,
        ForeignKey("training_sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class TrainingSession(db.Model):
    """One session of a cohort in one module (usually a half-day), in person or remote live."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "(modality = 'in_person' AND place IS NOT NULL)"
            " OR (modality = 'remote' AND link IS NOT NULL)",
            name="place_or_link",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="RESTRICT"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    modality: Mapped[Modality] = mapped_column(enum_column_type(Modality, "session_modality"))
    place: Mapped[str | None] = mapped_column(String(200))
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cohort: Mapped[Cohort] = relationship()
    module: Mapped[Module] = relationship()
    trainers: Mapped[list[User]] = relationship(secondary=session_trainers, order_by=User.id)
    sheet: Mapped[AttendanceSheet | None] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} {self.starts_at:%Y-%m-%d %H:%M}>"

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def minutes(self) -> int:
        """The session's length in whole minutes (what realised hours add up)."""
        return int(self.duration.total_seconds() // 60)


class AttendanceSheet(db.Model):
    """The sheet of one session: open for signing, then closed (signed) by a trainer and frozen."""

    __tablename__ = "attendance_sheets"
    __table_args__ = (
        CheckConstraint(
            "(state = 'closed') = (closed_at IS NOT NULL AND closed_by_id IS NOT NULL)",
            name="closed_has_time_and_trainer",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[SheetState] = mapped_column(
        enum_column_type(SheetState, "attendance_sheet_state"), default=SheetState.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    version_id: Mapped[int] = mapped_column(default=1)

    session: Mapped[TrainingSession] = relationship(back_populates="sheet")
    closed_by: Mapped[User | None] = relationship()
    records: Mapped[list[AttendanceRecord]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan"
    )
    documents: Mapped[list[AttendanceSheetDocument]] = relationship(
        back_populates="sheet",
        cascade="all, delete-orphan",
        order_by="AttendanceSheetDocument.version",
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_closed(self) -> bool:
        return self.state is SheetState.CLOSED

    @property
    def current_document(self) -> AttendanceSheetDocument | None:
        """The latest version of the sheet's PDF, if it was closed."""
        return self.documents[-1] if self.documents else None


class AttendanceRecord(db.Model):
    """One learner on one sheet: their status, when and how it was recorded."""

    __tablename__ = "attendance_records"
    __table_args__ = (
        UniqueConstraint("sheet_id", "learner_id"),
        CheckConstraint("(status = 'late') = (arrived_at IS NOT NULL)", name="late_has_arrival"),
        CheckConstraint(
            "status = 'excused' OR (reason IS NULL AND file_key IS NULL)",
            name="reason_only_when_excused",
        ),
        CheckConstraint("status <> 'excused' OR reason IS NOT NULL", name="excused_has_reason"),
        CheckConstraint("(file_key IS NULL) = (file_sha256 IS NULL)", name="file_has_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(
        ForeignKey("attendance_sheets.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(
        enum_column_type(AttendanceStatus, "attendance_status")
    )
    recorded_by: Mapped[RecordedBy] = mapped_column(
        enum_column_type(RecordedBy, "attendance_recorded_by")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The trainer or administrator who recorded it (None: the learner signed with the code).
    recorder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    # The supporting file of an excused absence, stored under a random key (core.storage).
    file_key: Mapped[str | None] = mapped_column(String(100))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    version_id: Mapped[int] = mapped_column(default=1)

    sheet: Mapped[AttendanceSheet] = relationship(back_populates="records")
    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    recorder: Mapped[User | None] = relationship(foreign_keys=[recorder_id])

    __mapper_args__ = {"version_id_col": version_id}


class AttendanceSheetDocument(db.Model):
    """One version of a closed sheet's PDF/A: version 1 at closing, one more per correction."""

    __tablename__ = "attendance_sheet_documents"
    __table_args__ = (
        UniqueConstraint("sheet_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("(version = 1) = (reason IS NULL)", name="correction_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(
        ForeignKey("attendance_sheets.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reason: Mapped[str | None] = mapped_column(Text)  # the correction's reason (None: closing)

    sheet: Mapped[AttendanceSheet] = relationship(back_populates="documents")
    created_by: Mapped[User] = relationship()
