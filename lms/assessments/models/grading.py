"""What trainers decide: grades with a choice per criterion, their history, and releases."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.assessments.models.definitions import Assessment, Criterion, RubricLevel
from lms.assessments.models.work import Submission
from lms.cohorts.models import Cohort
from lms.core.db import UTCDateTime
from lms.core.enums import enum_column_type
from lms.core.time import utcnow
from lms.extensions import db


class GradeState(StrEnum):
    """The grading workflow: grading → graded → released, or returned for revision."""

    GRADING = "grading"  # a trainer has started; nothing is visible to the learner
    GRADED = "graded"  # complete, visible once released (per learner or for the cohort)
    RELEASED = "released"  # released to this learner
    RETURNED = "returned"  # sent back for revision: the learner submits a new version


class Grade(db.Model):
    """A trainer's rubric result for a submission, or for an evaluation (no submission).

    ``version_id`` is SQLAlchemy's optimistic lock: saving a grade that someone else changed
    since it was read raises ``StaleDataError`` (the grading page answers 409).
    """

    __tablename__ = "grades"
    __table_args__ = (
        UniqueConstraint("submission_id"),
        # An evaluation (no submission) has one grade per learner.
        Index(
            "uq_grades_evaluation",
            "assessment_id",
            "learner_id",
            unique=True,
            sqlite_where=text("submission_id IS NULL"),
            postgresql_where=text("submission_id IS NULL"),
        ),
        CheckConstraint(
            "score IS NULL OR (score >= 0 AND score <= max_score)", name="score_in_range"
        ),
        CheckConstraint("max_score >= 0", name="max_score_not_negative"),
        CheckConstraint(
            "state NOT IN ('graded', 'released') OR (score IS NOT NULL AND passed IS NOT NULL)",
            name="graded_is_scored",
        ),
        CheckConstraint("state <> 'released' OR released_at IS NOT NULL", name="released_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="RESTRICT"), index=True
    )
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE")
    )
    grader_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[GradeState] = mapped_column(
        enum_column_type(GradeState, "grade_state"), default=GradeState.GRADING
    )
    score: Mapped[int | None]
    max_score: Mapped[int]
    passed: Mapped[bool | None]
    feedback: Mapped[str] = mapped_column(Text, default="")  # Markdown, raw HTML off
    version_id: Mapped[int] = mapped_column(nullable=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version_id}

    assessment: Mapped[Assessment] = relationship()
    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    grader: Mapped[User | None] = relationship(foreign_keys=[grader_id])
    submission: Mapped[Submission | None] = relationship()
    choices: Mapped[list[GradeChoice]] = relationship(
        back_populates="grade",
        order_by="GradeChoice.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    # History is append-only: the ORM never deletes or rewrites events (see below).
    events: Mapped[list[GradeEvent]] = relationship(
        back_populates="grade",
        order_by="GradeEvent.id",
        cascade="save-update, merge",
        passive_deletes="all",
    )

    def __repr__(self) -> str:
        return f"<Grade {self.id} {self.state}>"


class GradeChoice(db.Model):
    """The level a trainer chose for one criterion of a grade (one per criterion)."""

    __tablename__ = "grade_choices"
    __table_args__ = (
        UniqueConstraint("grade_id", "criterion_id"),
        # The chosen level belongs to the graded criterion.
        ForeignKeyConstraint(
            ["level_id", "criterion_id"], ["rubric_levels.id", "rubric_levels.criterion_id"]
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("grades.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("criteria.id", ondelete="RESTRICT"), index=True
    )
    level_id: Mapped[int] = mapped_column(index=True)

    grade: Mapped[Grade] = relationship(back_populates="choices")
    criterion: Mapped[Criterion] = relationship()
    level: Mapped[RubricLevel] = relationship(
        primaryjoin="GradeChoice.level_id == RubricLevel.id",
        foreign_keys="[GradeChoice.level_id]",
    )


class GradeEvent(db.Model):
    """One change to a grade (who, when, before → after), including refused concurrent saves."""

    __tablename__ = "grade_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("grades.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    accepted: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    grade: Mapped[Grade] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


@event.listens_for(GradeEvent, "before_update")
@event.listens_for(GradeEvent, "before_delete")
def _refuse_rewriting_history(mapper, connection, target: GradeEvent) -> None:
    """Keep the grade history append-only: an event is never changed nor deleted."""
    raise ValueError("grade events are append-only")


class GradeRelease(db.Model):
    """Grades of an assessment released to a whole cohort at once."""

    __tablename__ = "grade_releases"
    __table_args__ = (UniqueConstraint("assessment_id", "cohort_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assessment: Mapped[Assessment] = relationship()
    cohort: Mapped[Cohort] = relationship()
    released_by: Mapped[User | None] = relationship()
