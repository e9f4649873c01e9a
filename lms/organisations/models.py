"""The organisation's territories and their local administrators.

The organisation that runs the path and certifies is one per installation: its name and legal
details are settings (``lms.organisations.organisation``), used on every document. It works
through **territories** (Lille and its metropolis, Mulhouse/Strasbourg, Grenoble…), each with
the local co-development company that runs its cohorts. A cohort belongs to one territory.

A **local administrator** (``TerritoryAdministrator``) manages the cohorts of the territories
they are named for, and nothing of the others; central administrators (``User.is_admin``) see
every territory, and alone decide certifications and issue certificates.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import UTCDateTime
from lms.core.time import utcnow
from lms.extensions import Model


class Territory(Model):
    """A territory the training serves, and the co-development company that runs it there."""

    __tablename__ = "territories"
    __table_args__ = (
        CheckConstraint("code <> ''", name="code_not_empty"),
        CheckConstraint("name <> ''", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A short, stable code for URLs, filters and imports: "lille", "mulhouse-strasbourg".
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The area it covers, in words: "Métropole Européenne de Lille (95 communes)".
    area: Mapped[str] = mapped_column(String(200), default="")
    # The local co-development company (société de co-développement) and what it says of itself.
    company: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    administrators: Mapped[list[TerritoryAdministrator]] = relationship(
        back_populates="territory", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Territory {self.code}>"


class TerritoryAdministrator(Model):
    """A user named local administrator of one territory (by a central administrator)."""

    __tablename__ = "territory_administrators"
    __table_args__ = (UniqueConstraint("territory_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    named_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    named_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    territory: Mapped[Territory] = relationship(back_populates="administrators")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
