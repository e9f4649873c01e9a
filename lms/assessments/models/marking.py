"""Independent markings of a work, feeding its ONE final grade (double marking, third reader).

A work (a submission, or a learner × evaluation) has one ``Grade``: the final result the learner
sees once released. When its assessment declares ``marking`` in the path definition, markers
are allocated to that grade (``Marking``: first, second, and a third reader when the two
disagree beyond the tolerance); each marks blind with the rubric (``MarkingChoice``). Nobody marks
the same work twice: (grade, marker) is unique, third reader included.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.assessments.models.definitions import Criterion, MarkerPool, RubricLevel
from lms.assessments.models.grading import Grade
from lms.core.db import UTCDateTime
from lms.core.enums import enum_column_type
from lms.core.time import utcnow
from lms.extensions import db


class MarkingRole(StrEnum):
    FIRST = "first"
    SECOND = "second"
    THIRD = "third"  # the third reader, who settles a disagreement


class MarkingState(StrEnum):
    ALLOCATED = "allocated"  # nothing saved yet
    IN_PROGRESS = "in_progress"  # a draft is saved
    SUBMITTED = "submitted"  # frozen: it can no longer change


class Marking(db.Model):
    """One marker's independent marking of a work (or the third reader's settlement).

    ``version_id`` is the optimistic lock, as on ``Grade``: a save of a marking changed since it
    was read (another tab, a reallocation) raises ``StaleDataError``, answered 409.
    """

    __tablename__ = "markings"
    __table_args__ = (
        UniqueConstraint("grade_id", "role"),
        UniqueConstraint("grade_id", "marker_id"),  # nobody marks the same work twice
        CheckConstraint("score IS NULL OR score >= 0", name="score_not_negative"),
        CheckConstraint(
            "state <> 'submitted' OR (submitted_at IS NOT NULL AND score IS NOT NULL)",
            name="submitted_is_scored",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("grades.id", ondelete="CASCADE"), index=True)
    marker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    role: Mapped[MarkingRole] = mapped_column(enum_column_type(MarkingRole, "marking_role"))
    pool: Mapped[MarkerPool] = mapped_column(enum_column_type(MarkerPool, "marker_pool"))
    state: Mapped[MarkingState] = mapped_column(
        enum_column_type(MarkingState, "marking_state"), default=MarkingState.ALLOCATED
    )
    feedback: Mapped[str] = mapped_column(Text, default="")  # Markdown, raw HTML off
    score: Mapped[int | None]
    version_id: Mapped[int] = mapped_column(nullable=False)
    allocated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version_id}

    grade: Mapped[Grade] = relationship()
    marker: Mapped[User] = relationship(foreign_keys=[marker_id])
    allocated_by: Mapped[User | None] = relationship(foreign_keys=[allocated_by_id])
    choices: Mapped[list[MarkingChoice]] = relationship(
        back_populates="marking",
        order_by="MarkingChoice.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Marking {self.id} {self.role} {self.state}>"


class MarkingChoice(db.Model):
    """The level a marker chose for one criterion; the third reader's carry a reason."""

    __tablename__ = "marking_choices"
    __table_args__ = (
        UniqueConstraint("marking_id", "criterion_id"),
        # The chosen level belongs to the marked criterion.
        ForeignKeyConstraint(
            ["level_id", "criterion_id"], ["rubric_levels.id", "rubric_levels.criterion_id"]
        ),
        # A settled criterion (third reader, disputed) always says why.
        CheckConstraint(
            "NOT settles OR (reason IS NOT NULL AND length(reason) > 0)", name="settled_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    marking_id: Mapped[int] = mapped_column(ForeignKey("markings.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("criteria.id", ondelete="RESTRICT"), index=True
    )
    level_id: Mapped[int] = mapped_column(index=True)
    settles: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(Text)

    marking: Mapped[Marking] = relationship(back_populates="choices")
    criterion: Mapped[Criterion] = relationship()
    level: Mapped[RubricLevel] = relationship(
        primaryjoin="MarkingChoice.level_id == RubricLevel.id",
        foreign_keys="[MarkingChoice.level_id]",
    )
