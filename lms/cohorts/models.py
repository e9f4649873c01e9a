"""Cohorts follow one path version, on a calendar, with learners, trainers and assessors."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import UTCDateTime
from lms.core.enums import enum_column_type
from lms.core.time import utcnow
from lms.curriculum.models import Module, TrainingPath
from lms.extensions import db
from lms.organisations.models import Territory


class CohortState(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class MembershipRole(StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    ASSESSOR = "assessor"


class Funder(StrEnum):
    """Who pays for a learner's training: the certificat de réalisation goes to them."""

    CPF = "cpf"  # Compte personnel de formation (Caisse des dépôts, EDOF)
    OPCO = "opco"  # opérateur de compétences, for an employer's plan
    EMPLOYER = "employer"  # the employer pays directly
    FRANCE_TRAVAIL = "france_travail"
    SELF = "self"  # self-funded
    OTHER = "other"


class Cohort(db.Model):
    """A group of learners following one path version together."""

    __tablename__ = "cohorts"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint(
            "evidence_retention_years IS NULL OR evidence_retention_years BETWEEN 1 AND 50",
            name="evidence_retention_years_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("training_paths.id", ondelete="RESTRICT"))
    # The territory whose co-development company runs the cohort (its local administrators
    # manage it).
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territories.id", ondelete="RESTRICT"), index=True
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    capacity: Mapped[int | None]
    state: Mapped[CohortState] = mapped_column(
        enum_column_type(CohortState, "cohort_state"), default=CohortState.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Years after the end's year its evidence is kept (31 December of N + k), when it differs
    # from RETENTION_EVIDENCE_YEARS: 10 with EU funds or when the convention says so
    # (lms.quality.retention). None: the setting.
    evidence_retention_years: Mapped[int | None]

    path: Mapped[TrainingPath] = relationship()
    territory: Mapped[Territory] = relationship()
    calendar: Mapped[list[ModuleCalendar]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Cohort {self.name}>"

    def role_of(self, user: User) -> MembershipRole | None:
        """Return the user's role in this cohort, or None when they do not belong to it."""
        for membership in self.memberships:
            if membership.user_id == user.id:
                return membership.role
        return None


class ModuleCalendar(db.Model):
    """When a module opens for a cohort, and its optional closing date and session."""

    __tablename__ = "module_calendars"
    __table_args__ = (
        UniqueConstraint("cohort_id", "module_id"),
        CheckConstraint("closes_at IS NULL OR closes_at > opens_at", name="closes_after_open"),
        CheckConstraint(
            "session_ends_at IS NULL OR session_starts_at IS NULL "
            "OR session_ends_at > session_starts_at",
            name="session_ends_after_start",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="RESTRICT"))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(200))

    cohort: Mapped[Cohort] = relationship(back_populates="calendar")
    module: Mapped[Module] = relationship()


class Membership(db.Model):
    """A user's place in a cohort: learner, trainer or external assessor (one role per cohort).

    An external assessor marks only the work allocated to them, until ``access_ends_on``: the last
    day of their access, inclusive, in the organisation's time zone. Assessor rows always have that
    date, the other roles never (CHECK ``assessor_has_end_date``); ``lms.cohorts.access`` keeps
    assessors out of every staff and learner rule. A learner's row may name their ``funder``
    (None: not recorded yet); staff rows never do (CHECK ``funder_of_learner``).
    """

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "cohort_id"),
        # Two truth values compared: booleans on PostgreSQL, 0 or 1 on SQLite.
        CheckConstraint(
            "(role = 'assessor') = (access_ends_on IS NOT NULL)", name="assessor_has_end_date"
        ),
        CheckConstraint("role = 'learner' OR funder IS NULL", name="funder_of_learner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    role: Mapped[MembershipRole] = mapped_column(
        enum_column_type(MembershipRole, "membership_role")
    )
    access_ends_on: Mapped[date | None]
    funder: Mapped[Funder | None] = mapped_column(enum_column_type(Funder, "funder"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    cohort: Mapped[Cohort] = relationship(back_populates="memberships")
