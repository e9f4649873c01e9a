"""What the indicators need beyond the other domains' rows: withdrawals and publications.

- **Withdrawal** (« abandon »): staff record that a learner left the cohort before its end, on a
  date, with a reason. One per membership (a learner leaves a cohort once; a mistaken record is
  cancelled, audited, and may be recorded again). The dropout indicator counts these rows; the
  reason is free text that a purge may blank, the row itself stays (docs/quality-indicators.md).
- **PublishedIndicator**: the organisation publishes one indicator of one path (by its code,
  every version together) for one calendar year; the public page shows only those, aggregated.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.cohorts.models import Membership
from lms.core.db import UTCDateTime
from lms.core.time import utcnow
from lms.extensions import Model


class Withdrawal(Model):
    """A learner's withdrawal (« abandon ») from their cohort, recorded by staff."""

    __tablename__ = "learner_withdrawals"
    __table_args__ = (
        UniqueConstraint("membership_id"),
        CheckConstraint("length(trim(reason)) > 0", name="reason_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    # The last day the learner took part (organisation's time zone).
    withdrawn_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    membership: Mapped[Membership] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class PublishedIndicator(Model):
    """One indicator the organisation publishes, for one path (code) and one calendar year."""

    __tablename__ = "published_indicators"
    __table_args__ = (
        UniqueConstraint("path_code", "year", "indicator"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_code: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    indicator: Mapped[str] = mapped_column(String(40))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    published_by: Mapped[User | None] = relationship()
