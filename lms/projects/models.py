"""Projects learners accompany on their territory, and their evaluations with the common grid.

The path-definition file declares one **common project grid** (``lms.projects.definition``): its
scale (``ProjectGridLevel``), its dimensions with their indicators (``ProjectDimension``), the
domains of bien-vivre a project may touch (``ProjectDomain``) and the assessments whose work uses
the learner's project (``ProjectGridUse``, e.g. the BC4 defence, by code: projects sit beside
assessments and do not import them).

A learner declares one **project** per cohort (``Project``): title, holder organisation,
partners, domains, stage, description, and the territory where it is carried out. It is
**evaluated** with the grid at three moments (``ProjectEvaluation``): **ex ante** when it is
framed, **ex post** at the defence, and a **later ex post** months after (its date set per
project), each with one value and a short justification per dimension
(``ProjectEvaluationValue``) and who made it: a user, or the project holder or a partner through
a **single-use link** (``ProjectInvitation``: random token stored as its SHA-256, an expiry, used
once). The database keeps what it can: one evaluation per project and moment, one value per
evaluation and dimension, values within the scale's bounds checked by the services, an
evaluation made by exactly one of a user or an invitation, an invitation used at most once.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.core.db import UTCDateTime
from lms.core.enums import enum_column_type
from lms.core.time import utcnow
from lms.curriculum.models import TrainingPath
from lms.extensions import Model
from lms.organisations.models import Territory


class ProjectStage(StrEnum):
    """Where a project stands, in the order projects go through."""

    IDEA = "idea"
    EXPERIMENTATION = "experimentation"
    FINANCED = "financed"
    RUNNING = "running"


class EvaluationMoment(StrEnum):
    """When a project is evaluated with the common grid."""

    EX_ANTE = "ex_ante"  # when the project is framed: the baseline
    EX_POST = "ex_post"  # at the defence
    EX_POST_LATER = "ex_post_later"  # months after, on the date set for the project


# --- the common grid, from the path-definition file --------------------------------------------

# The grid's rows are part of the path definition, not a use of the path (lms.curriculum.services).
DEFINITION = {"path_definition": True}


class ProjectGrid(Model):
    """That a path declares a common project grid, and its rules."""

    __tablename__ = "project_grids"
    __table_args__ = (
        CheckConstraint("later_ex_post_months BETWEEN 1 AND 60", name="months_in_range"),
        {"info": DEFINITION},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(
        ForeignKey("training_paths.id", ondelete="CASCADE"), unique=True
    )
    # The later ex post evaluation's default date: this many months after the defence.
    later_ex_post_months: Mapped[int] = mapped_column(default=6)


class ProjectGridLevel(Model):
    """One value of the grid's scale, with its label (0 « Aucun effet » … 4 « Effet fort »)."""

    __tablename__ = "project_grid_levels"
    __table_args__ = (
        UniqueConstraint("path_id", "value"),
        CheckConstraint("value BETWEEN 0 AND 10", name="value_in_range"),
        {"info": DEFINITION},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("training_paths.id", ondelete="CASCADE"))
    value: Mapped[int]
    label: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")


class ProjectDimension(Model):
    """A dimension of the grid (health, social link…), the question it asks and its indicators."""

    __tablename__ = "project_dimensions"
    __table_args__ = (
        UniqueConstraint("path_id", "code"),
        UniqueConstraint("path_id", "position"),
        {"info": DEFINITION},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("training_paths.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text, default="")
    # What to look at to give the value: a list of short sentences.
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int]

    path: Mapped[TrainingPath] = relationship()


class ProjectDomain(Model):
    """A domain of bien-vivre a project may touch (alimentation, santé, mobilité…)."""

    __tablename__ = "project_domains"
    __table_args__ = (
        UniqueConstraint("path_id", "code"),
        UniqueConstraint("path_id", "position"),
        {"info": DEFINITION},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("training_paths.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(120))
    position: Mapped[int]


class ProjectGridUse(Model):
    """An assessment whose work uses the learner's project, and the evaluation it documents.

    Named by its code and title as the definition file gives them: projects sit beside
    assessments (DESIGN.md §9) and do not import them.
    """

    __tablename__ = "project_grid_uses"
    __table_args__ = (
        UniqueConstraint("path_id", "assessment_code"),
        UniqueConstraint("path_id", "position"),
        {"info": DEFINITION},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("training_paths.id", ondelete="CASCADE"))
    assessment_code: Mapped[str] = mapped_column(String(20))
    assessment_title: Mapped[str] = mapped_column(String(200))
    moment: Mapped[EvaluationMoment | None] = mapped_column(
        enum_column_type(EvaluationMoment, "evaluation_moment"), nullable=True
    )
    # The codes of the dimensions the work discusses; empty: all of them.
    dimension_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int]


# --- a learner's project and its evaluations ---------------------------------------------------

project_domain_links = Table(
    "project_domain_links",
    Model.metadata,
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("domain_id", ForeignKey("project_domains.id", ondelete="RESTRICT"), primary_key=True),
)


class Project(Model):
    """The project a learner accompanies on a territory, as they declare it."""

    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("cohort_id", "learner_id"),
        CheckConstraint("title <> ''", name="title_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Where the project is carried out (by default the cohort's territory).
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territories.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    # The organisation that carries the project (an association, a collective, a company…).
    holder: Mapped[str] = mapped_column(String(200))
    # Its partners, one per line as typed.
    partners: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[ProjectStage] = mapped_column(
        enum_column_type(ProjectStage, "project_stage"), default=ProjectStage.IDEA
    )
    description: Mapped[str] = mapped_column(Text, default="")
    # When the later ex post evaluation is due (set per project, months after the defence).
    later_ex_post_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic lock: two edits from the same form give one success and one 409.
    version_id: Mapped[int] = mapped_column(default=1)

    cohort: Mapped[Cohort] = relationship()
    learner: Mapped[User] = relationship()
    territory: Mapped[Territory] = relationship()
    domains: Mapped[list[ProjectDomain]] = relationship(
        secondary=project_domain_links, order_by=ProjectDomain.position
    )
    evaluations: Mapped[list[ProjectEvaluation]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.title!r}>"


class ProjectInvitation(Model):
    """A single-use link for the later ex post evaluation, sent to the holder or a partner.

    Only the SHA-256 of the token is stored; the link works until ``expires_at`` and once. A
    link planned for the evaluation's date has no ``sent_at`` yet: the daily command gives it
    its token when it sends it (lms.projects.invitations_mail), and it cannot be used before.
    """

    __tablename__ = "project_invitations"
    __table_args__ = (
        CheckConstraint("length(token_sha256) = 64", name="token_sha256_is_hex_digest"),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        CheckConstraint("used_at IS NULL OR sent_at IS NOT NULL", name="used_after_sent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # Who is invited: the e-mail the link was sent to and the name they go by.
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the link left by e-mail (None: planned for ``Project.later_ex_post_on``, not sent).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Withdrawn before use (a new link replaces it, or the project changed hands).
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship()


class ProjectEvaluation(Model):
    """A project evaluated with the common grid at one moment, by a user or through a link."""

    __tablename__ = "project_evaluations"
    __table_args__ = (
        UniqueConstraint("project_id", "moment"),
        UniqueConstraint("invitation_id"),
        CheckConstraint(
            "(evaluated_by_id IS NULL) <> (invitation_id IS NULL)", name="one_evaluator"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    moment: Mapped[EvaluationMoment] = mapped_column(
        enum_column_type(EvaluationMoment, "evaluation_moment")
    )
    evaluated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("project_invitations.id", ondelete="RESTRICT")
    )
    # The name shown for who evaluated: the user's name then, or the invited person's.
    evaluator_name: Mapped[str] = mapped_column(String(120))
    evaluated_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship(back_populates="evaluations")
    evaluated_by: Mapped[User | None] = relationship()
    invitation: Mapped[ProjectInvitation | None] = relationship()
    values: Mapped[list[ProjectEvaluationValue]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}


class ProjectEvaluationValue(Model):
    """One dimension's value in an evaluation, with its short justification."""

    __tablename__ = "project_evaluation_values"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "dimension_id"),
        CheckConstraint("value BETWEEN 0 AND 10", name="value_in_range"),
        CheckConstraint("justification <> ''", name="justification_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("project_evaluations.id", ondelete="CASCADE")
    )
    dimension_id: Mapped[int] = mapped_column(
        ForeignKey("project_dimensions.id", ondelete="RESTRICT"), index=True
    )
    value: Mapped[int]
    justification: Mapped[str] = mapped_column(Text)

    evaluation: Mapped[ProjectEvaluation] = relationship(back_populates="values")
    dimension: Mapped[ProjectDimension] = relationship()
