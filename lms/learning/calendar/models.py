"""The private calendar address of a person: only the SHA-256 of its token is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import UTCDateTime
from lms.core.time import utcnow
from lms.extensions import db


class CalendarFeed(db.Model):
    """One person's calendar address (at most one): the hash of its token and its dates.

    Renewing replaces the hash (the old address answers 404 at once); revoking deletes the row.
    """

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        CheckConstraint("length(token_sha256) = 64", name="token_sha256_is_hex_digest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
