"""The jury's rows: the path's rules, a session of a cohort, its members, votes and minutes.

The database keeps what it can: one president per jury (a partial unique index), one vote per
member and candidate, a closed jury has its closing time, an ``award_blocks`` proposal names its
blocks and no other proposal does. ``Jury`` and ``JuryVote`` carry an optimistic lock
(``version_id``): a write based on a stale read raises ``StaleDataError`` (answered 409).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.core.db import UTCDateTime
from lms.core.enums import enum_column_type
from lms.core.time import utcnow
from lms.extensions import db


class Majority(StrEnum):
    SIMPLE = "simple"  # more than half of the votes cast
    TWO_THIRDS = "two_thirds"  # at least two thirds of the votes cast


class JuryState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Proposal(StrEnum):
    AWARD_PATH = "award_path"
    AWARD_BLOCKS = "award_blocks"
    DEFER = "defer"
    REFUSE = "refuse"


class RecusalReason(StrEnum):
    TRAINED = "trained"  # trains the candidate's cohort
    MARKED = "marked"  # marked the candidate's work


def split_codes(codes: str) -> tuple[str, ...]:
    """Return the block codes stored space-separated (``"BC1 BC2"``)."""
    return tuple(codes.split())


class PathJury(db.Model):
    """The jury a path version declares (``[jury]`` of its definition file)."""

    __tablename__ = "path_juries"
    __table_args__ = (
        CheckConstraint("size >= 2", name="collegial"),
        CheckConstraint("quorum >= 1 AND quorum <= size", name="quorum_within_size"),
        CheckConstraint(
            "min_external_share >= 0 AND min_external_share <= 100", name="share_is_percent"
        ),
        {"info": {"path_definition": True}},  # part of the definition, not a use of the path
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(
        ForeignKey("training_paths.id", ondelete="CASCADE"), unique=True
    )
    size: Mapped[int]
    min_external_share: Mapped[int]
    quorum: Mapped[int]
    majority: Mapped[Majority] = mapped_column(enum_column_type(Majority, "jury_majority"))
    # [{"code", "title", "external", "count"}, ...] in file order.
    seats: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    def seat(self, code: str) -> dict[str, Any] | None:
        return next((seat for seat in self.seats if seat["code"] == code), None)


class Jury(db.Model):
    """A jury session of a cohort: when, where, its state and its members."""

    __tablename__ = "juries"
    __table_args__ = (
        CheckConstraint("state <> 'closed' OR closed_at IS NOT NULL", name="closed_has_date"),
        CheckConstraint("state = 'draft' OR opened_at IS NOT NULL", name="opened_has_date"),
        CheckConstraint("is_remote OR length(trim(place)) > 0", name="place_or_remote"),
        CheckConstraint(
            "reopened_at IS NULL OR length(trim(reopen_reason)) > 0", name="reopen_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="RESTRICT"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    is_remote: Mapped[bool] = mapped_column(default=False)
    state: Mapped[JuryState] = mapped_column(
        enum_column_type(JuryState, "jury_state"), default=JuryState.DRAFT
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int] = mapped_column(nullable=False)

    __mapper_args__ = {"version_id_col": version_id}

    cohort: Mapped[Cohort] = relationship()
    members: Mapped[list[JuryMember]] = relationship(
        back_populates="jury", order_by="JuryMember.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Jury {self.id} {self.state}>"

    @property
    def president(self) -> JuryMember | None:
        return next((member for member in self.members if member.is_president), None)

    @property
    def is_closed(self) -> bool:
        return self.state == JuryState.CLOSED


class JuryMember(db.Model):
    """A person sitting on a jury, in a seat, until their access ends."""

    __tablename__ = "jury_members"
    __table_args__ = (
        UniqueConstraint("jury_id", "user_id"),
        Index(
            "uq_jury_members_president",
            "jury_id",
            unique=True,
            sqlite_where=text("is_president"),
            postgresql_where=text("is_president"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jury_id: Mapped[int] = mapped_column(ForeignKey("juries.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    seat: Mapped[str] = mapped_column(String(40))
    is_external: Mapped[bool] = mapped_column(default=False)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    is_president: Mapped[bool] = mapped_column(default=False)
    access_ends_on: Mapped[date] = mapped_column(Date)

    jury: Mapped[Jury] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<JuryMember {self.user_id} of jury {self.jury_id}>"


class JuryVote(db.Model):
    """A member's proposal for one candidate, with a comment."""

    __tablename__ = "jury_votes"
    __table_args__ = (
        UniqueConstraint("jury_id", "member_id", "learner_id"),
        CheckConstraint(
            "(proposal = 'award_blocks' AND length(blocks) > 0)"
            " OR (proposal <> 'award_blocks' AND blocks = '')",
            name="blocks_match_proposal",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jury_id: Mapped[int] = mapped_column(ForeignKey("juries.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("jury_members.id", ondelete="RESTRICT"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    proposal: Mapped[Proposal] = mapped_column(enum_column_type(Proposal, "jury_proposal"))
    blocks: Mapped[str] = mapped_column(String(200), default="")  # "BC1 BC2" for award_blocks
    comment: Mapped[str] = mapped_column(Text, default="")
    recommendations: Mapped[str] = mapped_column(Text, default="")  # préconisations
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_id: Mapped[int] = mapped_column(nullable=False)

    __mapper_args__ = {"version_id_col": version_id}

    member: Mapped[JuryMember] = relationship()

    @property
    def block_codes(self) -> tuple[str, ...]:
        return split_codes(self.blocks)

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """What the vote proposes, as compared when counting: proposal and sorted blocks."""
        return self.proposal.value, tuple(sorted(self.block_codes))


class JuryRecusal(db.Model):
    """A member recused for a candidate, recorded when the jury closes (for the minutes)."""

    __tablename__ = "jury_recusals"
    __table_args__ = (UniqueConstraint("jury_id", "member_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jury_id: Mapped[int] = mapped_column(ForeignKey("juries.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("jury_members.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reason: Mapped[RecusalReason] = mapped_column(enum_column_type(RecusalReason, "recusal_reason"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JuryMinutes(db.Model):
    """One version of the jury's minutes (procès-verbal): a stored PDF/A and its SHA-256."""

    __tablename__ = "jury_minutes"
    __table_args__ = (UniqueConstraint("jury_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jury_id: Mapped[int] = mapped_column(ForeignKey("juries.id", ondelete="RESTRICT"), index=True)
    version: Mapped[int]
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    jury: Mapped[Jury] = relationship()
