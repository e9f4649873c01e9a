"""The path definition as stored: one ``TrainingPath`` row per (code, version)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import UTCDateTime
from lms.core.enums import enum_column_type
from lms.core.time import utcnow
from lms.extensions import Model, db


class ModuleMode(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in-person"
    BLENDED = "blended"


class LessonKind(StrEnum):
    PAGE = "page"  # a Markdown page
    LINK = "link"  # a resource link, with an optional Markdown introduction


class RatingRule(StrEnum):
    """How rubric evidence turns into a competency rating."""

    LATEST = "latest"
    BEST = "best"
    MEAN = "mean"


module_competencies = Table(
    "module_competencies",
    db.metadata,
    Column("module_id", ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True),
    Column("competency_id", ForeignKey("competencies.id", ondelete="CASCADE"), primary_key=True),
)

module_prerequisites = Table(
    "module_prerequisites",
    db.metadata,
    Column("module_id", ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True),
    Column("prerequisite_id", ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True),
    CheckConstraint("module_id <> prerequisite_id", name="not_self"),
)


class TrainingPath(Model):
    """One version of a certifying path; cohorts follow exactly one version."""

    __tablename__ = "training_paths"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    certifier: Mapped[str] = mapped_column(String(200), default="")
    rating_rule: Mapped[RatingRule] = mapped_column(
        enum_column_type(RatingRule, "rating_rule"), default=RatingRule.LATEST
    )
    # SHA-256 of the canonical definition: reloading the same file is recognised as a no-op.
    definition_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    modules: Mapped[list[Module]] = relationship(
        back_populates="path", order_by="Module.position", cascade="all, delete-orphan"
    )
    blocks: Mapped[list[CompetencyBlock]] = relationship(
        back_populates="path", order_by="CompetencyBlock.position", cascade="all, delete-orphan"
    )
    proficiency_levels: Mapped[list[ProficiencyLevel]] = relationship(
        back_populates="path", order_by="ProficiencyLevel.value", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<TrainingPath {self.code} v{self.version}>"

    @property
    def competencies(self) -> list[Competency]:
        return [competency for block in self.blocks for competency in block.competencies]


class ProficiencyLevel(Model):
    """One step of the path's proficiency scale (0 = not assessed … 4 = mastered)."""

    __tablename__ = "proficiency_levels"
    __table_args__ = (
        UniqueConstraint("path_id", "value"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("training_paths.id", ondelete="CASCADE"))
    value: Mapped[int]
    label: Mapped[str] = mapped_column(String(80))
    # What the level means in practice (a descriptor), for self-assessment; may be empty.
    description: Mapped[str] = mapped_column(Text, default="")

    path: Mapped[TrainingPath] = relationship(back_populates="proficiency_levels")


class CompetencyBlock(Model):
    """A block of competencies (bloc de compétences), certified as a whole."""

    __tablename__ = "competency_blocks"
    __table_args__ = (UniqueConstraint("path_id", "code"), UniqueConstraint("path_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("training_paths.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    evaluation: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int]

    path: Mapped[TrainingPath] = relationship(back_populates="blocks")
    competencies: Mapped[list[Competency]] = relationship(
        back_populates="block", order_by="Competency.position", cascade="all, delete-orphan"
    )


class Competency(Model):
    """A competency, rated on the path's proficiency scale, with the level it requires."""

    __tablename__ = "competencies"
    __table_args__ = (
        UniqueConstraint("block_id", "code"),
        UniqueConstraint("block_id", "position"),
        CheckConstraint("required_level >= 1", name="required_level_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("competency_blocks.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    required_level: Mapped[int]
    position: Mapped[int]

    block: Mapped[CompetencyBlock] = relationship(back_populates="competencies")
    modules: Mapped[list[Module]] = relationship(
        secondary=module_competencies, back_populates="competencies"
    )


class Module(Model):
    """A module of the path (M1..M8); prerequisites between modules form the chronology."""

    __tablename__ = "modules"
    __table_args__ = (
        UniqueConstraint("path_id", "code"),
        UniqueConstraint("path_id", "position"),
        # Target of (module_id, path_id) keys: rows of a higher domain tied to the module's path.
        UniqueConstraint("id", "path_id"),
        CheckConstraint("hours > 0", name="hours_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("training_paths.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int]
    hours: Mapped[int]
    mode: Mapped[ModuleMode] = mapped_column(enum_column_type(ModuleMode, "module_mode"))

    path: Mapped[TrainingPath] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position", cascade="all, delete-orphan"
    )
    competencies: Mapped[list[Competency]] = relationship(
        secondary=module_competencies, back_populates="modules", order_by="Competency.id"
    )
    prerequisites: Mapped[list[Module]] = relationship(
        secondary=module_prerequisites,
        primaryjoin=lambda: Module.id == module_prerequisites.c.module_id,
        secondaryjoin=lambda: Module.id == module_prerequisites.c.prerequisite_id,
        order_by=lambda: Module.position,
    )

    def __repr__(self) -> str:
        return f"<Module {self.code}>"


class Lesson(Model):
    """An ordered item of a module: a Markdown page or a resource link."""

    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("module_id", "position"),
        CheckConstraint("kind <> 'link' OR url IS NOT NULL", name="link_has_url"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[LessonKind] = mapped_column(
        enum_column_type(LessonKind, "lesson_kind"), default=LessonKind.PAGE
    )
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, raw HTML off
    url: Mapped[str | None] = mapped_column(String(500))
    is_required: Mapped[bool] = mapped_column(default=True)

    module: Mapped[Module] = relationship(back_populates="lessons")
