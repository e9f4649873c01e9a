"""Reminders sent (one row each, never twice) and each person's choice of optional reminders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import UTCDateTime
from lms.core.time import utcnow
from lms.extensions import db


class SentReminder(db.Model):
    """A reminder of one kind, about one subject, sent to one person: the row that makes it once.

    ``subject_key`` names what the reminder is about and when (``assessment:12:2030-01-15T12:00``):
    a deadline that moves, a session that is rescheduled, is a new subject and gets a new
    reminder. The row is written in the same transaction as the sending, before the message
    leaves: a second run, even concurrent, stops at the unique constraint.
    """

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("kind", "user_id", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject_key: Mapped[str] = mapped_column(String(120))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderPreference(db.Model):
    """A person's choice of optional reminders; without a row, they receive them all."""

    __tablename__ = "reminder_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    deadlines: Mapped[bool] = mapped_column(default=True)  # 48 h before an assessment deadline
    sessions: Mapped[bool] = mapped_column(default=True)  # the day before a session
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
