"""What learners do: quiz attempts and their answers, submissions and their files, extensions.

Learner work refers to assessments with ``ondelete="RESTRICT"``: deleting a definition that
somebody has worked on fails in the database rather than losing the work.
"""

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.assessments.models.definitions import Assessment, Option, Question
from lms.core.db import UTCDateTime
from lms.core.enums import enum_column_type
from lms.core.time import utcnow
from lms.extensions import db


class SubmissionState(StrEnum):
    """Where a submission version stands; the grading workflow itself lives on ``Grade``."""

    SUBMITTED = "submitted"  # the learner may still edit it (a new version) until it is graded
    RETURNED = "returned"  # a trainer returned it for revision: the next version replaces it
    GRADED = "graded"  # a grade exists: no more editing


class QuizAttempt(db.Model):
    """One attempt at a quiz, numbered 1, 2, …; the score is computed on the server."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("assessment_id", "user_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(
            "score IS NULL OR (score >= 0 AND score <= max_score)", name="score_in_range"
        ),
        CheckConstraint("max_score >= 0", name="max_score_not_negative"),
        CheckConstraint(
            "submitted_at IS NULL OR (score IS NOT NULL AND passed IS NOT NULL)",
            name="submitted_is_scored",
        ),
        # At most one open attempt per learner and quiz: a double "start" cannot open two.
        Index(
            "uq_quiz_attempts_open",
            "assessment_id",
            "user_id",
            unique=True,
            sqlite_where=text("submitted_at IS NULL"),
            postgresql_where=text("submitted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # time limit, if any
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int | None]
    max_score: Mapped[int]
    passed: Mapped[bool | None]
    # {str(question id): [option ids in the order shown]}: the shuffle is fixed per attempt.
    option_order: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    assessment: Mapped[Assessment] = relationship()
    user: Mapped[User] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt",
        order_by="AttemptAnswer.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class AttemptAnswer(db.Model):
    """An option the learner ticked in an attempt (one row per ticked option)."""

    __tablename__ = "attempt_answers"
    __table_args__ = (
        UniqueConstraint("attempt_id", "question_id", "option_id"),
        # The ticked option belongs to the answered question.
        ForeignKeyConstraint(
            ["option_id", "question_id"],
            ["question_options.id", "question_options.question_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    option_id: Mapped[int] = mapped_column(index=True)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    option: Mapped[Option] = relationship(
        primaryjoin="AttemptAnswer.option_id == Option.id",
        foreign_keys="[AttemptAnswer.option_id]",
    )


class Submission(db.Model):
    """One version of a learner's work for an assignment (text and/or files).

    ``version`` numbers every content the learner handed in (1, 2, …); ``attempt`` numbers the
    attempts, Moodle's "reopened" model: versions handed in before grading starts replace each
    other within one attempt, and a return for revision closes the attempt, so that the next
    version opens the next one (``lms.assessments.assignments.services`` keeps the limit).
    ``content_sha256`` hashes the text and the files' hashes: submitting the same content twice
    is recognised and records no new version.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("assessment_id", "user_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        # Each attempt has one version at least: never more attempts than versions.
        CheckConstraint("attempt >= 1 AND attempt <= version", name="attempt_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    attempt: Mapped[int] = mapped_column(default=1)
    text: Mapped[str] = mapped_column(Text, default="")
    content_sha256: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    is_late: Mapped[bool] = mapped_column(default=False)
    state: Mapped[SubmissionState] = mapped_column(
        enum_column_type(SubmissionState, "submission_state"), default=SubmissionState.SUBMITTED
    )
    # When the retention purge erased its text and files (lms.quality.retention); its grade stays.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assessment: Mapped[Assessment] = relationship()
    user: Mapped[User] = relationship()
    files: Mapped[list[SubmissionFile]] = relationship(
        back_populates="submission",
        order_by="SubmissionFile.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class SubmissionFile(db.Model):
    """A file of a submission, stored under a random key in the instance folder."""

    __tablename__ = "submission_files"
    __table_args__ = (CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    original_name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))

    submission: Mapped[Submission] = relationship(back_populates="files")


class DeadlineExtension(db.Model):
    """A later deadline granted to one learner for one assessment."""

    __tablename__ = "deadline_extensions"
    __table_args__ = (UniqueConstraint("assessment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assessment: Mapped[Assessment] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])
