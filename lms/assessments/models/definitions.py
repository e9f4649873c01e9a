"""What a path definition declares: rubrics (criteria, levels), assessments, quiz questions.

These rows are part of the path definition (``info={"path_definition": True}``): the curriculum
loader writes them through ``lms.assessments.loading`` and does not count them as a "use" of the
path version. Learner work refers to them with ``ondelete="RESTRICT"``, so that the database
itself refuses to delete a definition somebody has worked on.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from lms.core.enums import enum_column_type
from lms.curriculum.models import Competency, Module, TrainingPath
from lms.extensions import db

DEFINITION = {"path_definition": True}


class AssessmentKind(StrEnum):
    QUIZ = "quiz"  # auto-graded
    ASSIGNMENT = "assignment"  # text and/or files, graded with a rubric
    EVALUATION = "evaluation"  # practical or oral: the trainer records a rubric result


class QuestionKind(StrEnum):
    SINGLE = "single"  # exactly one correct option
    MULTIPLE = "multiple"  # one or more correct options, all needed


class QuizReview(StrEnum):
    """When a learner may see the answer key of a submitted quiz attempt."""

    NEVER = "never"
    AFTER_SUBMISSION = "after_submission"
    AFTER_DEADLINE = "after_deadline"


class MarkerPool(StrEnum):
    """Who may be allocated a marking: a trainer of the cohort, or one of its external assessors."""

    TRAINER = "trainer"
    EXTERNAL = "external"


class MarkingAgreement(StrEnum):
    """How two agreeing levels make the final level (positions in the criterion's levels)."""

    LOWER = "lower"
    HIGHER = "higher"
    MEAN = "mean"  # mean of the two positions, rounded down


class Rubric(db.Model):
    """An evaluation grid (grille d'évaluation) shared by the path's assessments."""

    __tablename__ = "rubrics"
    __table_args__ = (
        UniqueConstraint("path_id", "code"),
        # Target of the assessments' (rubric_id, path_id) key: a rubric of the same path.
        UniqueConstraint("id", "path_id"),
        {"info": DEFINITION},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("training_paths.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))

    path: Mapped[TrainingPath] = relationship(
        backref=backref(
            "rubrics", order_by="Rubric.id", cascade="all, delete-orphan", passive_deletes=True
        )
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="rubric",
        order_by="Criterion.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Rubric {self.code}>"

    @property
    def max_points(self) -> int:
        """Return the best possible total: the highest level's points of every criterion."""
        return sum(criterion.max_points for criterion in self.criteria)


class Criterion(db.Model):
    """One line of a rubric; it rates exactly one competency."""

    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("rubric_id", "position"), {"info": DEFINITION})

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # CASCADE: a competency goes only with its path version; grade choices (RESTRICT) protect
    # any criterion a trainer has used.
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competencies.id", ondelete="CASCADE"), index=True
    )

    rubric: Mapped[Rubric] = relationship(back_populates="criteria")
    competency: Mapped[Competency] = relationship()
    levels: Mapped[list[RubricLevel]] = relationship(
        back_populates="criterion",
        order_by="RubricLevel.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def max_points(self) -> int:
        """Return the points of the highest level (levels have increasing points)."""
        return max((level.points for level in self.levels), default=0)


class RubricLevel(db.Model):
    """A level of a criterion: descriptor, points and the proficiency it evidences.

    The loader keeps the levels in increasing points and non-decreasing proficiency.
    """

    __tablename__ = "rubric_levels"
    __table_args__ = (
        UniqueConstraint("criterion_id", "position"),
        # Target of the grade choices' (level_id, criterion_id) key: a level of that criterion.
        UniqueConstraint("id", "criterion_id"),
        CheckConstraint("points >= 0", name="points_not_negative"),
        CheckConstraint("proficiency >= 0", name="proficiency_not_negative"),
        {"info": DEFINITION},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(80))
    descriptor: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int]
    proficiency: Mapped[int]  # a value of the path's proficiency scale

    criterion: Mapped[Criterion] = relationship(back_populates="levels")


class Assessment(db.Model):
    """A quiz, assignment or evaluation of a module; its code is unique in the path.

    ``path_id`` copies the module's path so that the database keeps codes unique per path and
    the rubric in the same path: (module_id, path_id) and (rubric_id, path_id) are foreign keys.
    Setting ``module`` fills both columns.
    """

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("path_id", "code"),
        UniqueConstraint("module_id", "position"),
        ForeignKeyConstraint(
            ["module_id", "path_id"], ["modules.id", "modules.path_id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["rubric_id", "path_id"], ["rubrics.id", "rubrics.path_id"]),
        CheckConstraint(
            "(kind = 'quiz' AND rubric_id IS NULL) OR (kind <> 'quiz' AND rubric_id IS NOT NULL)",
            name="rubric_unless_quiz",
        ),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
        CheckConstraint(
            "pass_mark_percent >= 0 AND pass_mark_percent <= 100", name="pass_mark_percent"
        ),
        CheckConstraint("max_attempts IS NULL OR max_attempts >= 1", name="max_attempts_positive"),
        CheckConstraint("due_days IS NULL OR due_days >= 0", name="due_days_not_negative"),
        CheckConstraint(
            "time_limit_minutes IS NULL OR (kind = 'quiz' AND time_limit_minutes >= 1)",
            name="time_limit_of_quiz",
        ),
        CheckConstraint("max_file_mb >= 1", name="max_file_mb_positive"),
        CheckConstraint(
            "kind <> 'assignment' OR accepts_text OR accepts_files", name="assignment_accepts"
        ),
        # Declared marking: all its settings or none, never on a quiz (see ``is_marked``).
        CheckConstraint(
            "(first_marker_pool IS NULL AND second_marker_pool IS NULL"
            " AND marking_tolerance IS NULL AND marking_agreement IS NULL"
            " AND third_reader_pool IS NULL)"
            " OR (kind <> 'quiz' AND first_marker_pool IS NOT NULL AND marking_tolerance >= 0"
            " AND marking_agreement IS NOT NULL AND third_reader_pool IS NOT NULL)",
            name="marking_settings",
        ),
        {"info": DEFINITION},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(
        ForeignKey("training_paths.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[int] = mapped_column(index=True)
    code: Mapped[str] = mapped_column(String(20))
    kind: Mapped[AssessmentKind] = mapped_column(
        enum_column_type(AssessmentKind, "assessment_kind")
    )
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")  # Markdown, raw HTML off
    position: Mapped[int]
    weight: Mapped[int] = mapped_column(default=1)
    pass_mark_percent: Mapped[int] = mapped_column(default=50)
    is_required: Mapped[bool] = mapped_column(default=True)
    max_attempts: Mapped[int | None]  # None: unlimited
    due_days: Mapped[int | None]  # deadline = the module's calendar opens_at + due_days
    rubric_id: Mapped[int | None] = mapped_column(index=True)
    # Quiz settings.
    time_limit_minutes: Mapped[int | None]
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    review: Mapped[QuizReview] = mapped_column(
        enum_column_type(QuizReview, "quiz_review"), default=QuizReview.AFTER_SUBMISSION
    )
    # Assignment settings.
    accepts_text: Mapped[bool] = mapped_column(default=True)
    accepts_files: Mapped[bool] = mapped_column(default=False)
    allowed_extensions: Mapped[str] = mapped_column(String(200), default="")  # "pdf,odt,png"
    max_file_mb: Mapped[int] = mapped_column(default=10)
    # Declared marking (path definition ``[modules.assessments.marking]``); all None: one
    # trainer grades the work as usual. ``second_marker_pool`` set: double marking.
    first_marker_pool: Mapped[MarkerPool | None] = mapped_column(
        enum_column_type(MarkerPool, "first_marker_pool")
    )
    second_marker_pool: Mapped[MarkerPool | None] = mapped_column(
        enum_column_type(MarkerPool, "second_marker_pool")
    )
    marking_tolerance: Mapped[int | None]  # levels of gap allowed per criterion
    marking_agreement: Mapped[MarkingAgreement | None] = mapped_column(
        enum_column_type(MarkingAgreement, "marking_agreement")
    )
    third_reader_pool: Mapped[MarkerPool | None] = mapped_column(
        enum_column_type(MarkerPool, "third_reader_pool")
    )

    module: Mapped[Module] = relationship(
        primaryjoin="and_(Assessment.module_id == Module.id, Assessment.path_id == Module.path_id)",
        foreign_keys="[Assessment.module_id, Assessment.path_id]",
        backref=backref(
            "assessments",
            order_by="Assessment.position",
            cascade="all, delete-orphan",
            passive_deletes=True,
        ),
    )
    # Read-only: ``path_id`` is written through ``module``.
    path: Mapped[TrainingPath] = relationship(viewonly=True)
    rubric: Mapped[Rubric | None] = relationship(
        primaryjoin="Assessment.rubric_id == Rubric.id", foreign_keys="[Assessment.rubric_id]"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="assessment",
        order_by="Question.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Assessment {self.code} {self.kind}>"

    @property
    def is_marked(self) -> bool:
        """Tell whether the work is marked by allocated markers rather than graded as usual."""
        return self.first_marker_pool is not None

    @property
    def marker_pools(self) -> list[MarkerPool]:
        """Return the pool of each independent marking, in order (empty: not marked)."""
        return [p for p in (self.first_marker_pool, self.second_marker_pool) if p is not None]

    @property
    def extensions(self) -> list[str]:
        """Return the allowed file extensions, lower case, without dots."""
        return [ext for ext in self.allowed_extensions.split(",") if ext]


class Question(db.Model):
    """A quiz question: single choice (one correct option) or multiple choice."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("assessment_id", "position"),
        CheckConstraint("points >= 1", name="points_positive"),
        {"info": DEFINITION},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    position: Mapped[int]
    prompt: Mapped[str] = mapped_column(Text)
    kind: Mapped[QuestionKind] = mapped_column(
        enum_column_type(QuestionKind, "question_kind"), default=QuestionKind.SINGLE
    )
    points: Mapped[int] = mapped_column(default=1)
    explanation: Mapped[str] = mapped_column(Text, default="")

    assessment: Mapped[Assessment] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question",
        order_by="Option.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Option(db.Model):
    """An answer option of a question; ``is_correct`` never leaves the server while open."""

    __tablename__ = "question_options"
    __table_args__ = (
        UniqueConstraint("question_id", "position"),
        # Target of the answers' (option_id, question_id) key: an option of that question.
        UniqueConstraint("id", "question_id"),
        {"info": DEFINITION},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship(back_populates="options")
