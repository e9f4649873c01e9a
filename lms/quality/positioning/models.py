"""Where each learner starts: the entry positioning (Qualiopi indicators 8 and 11).

The path-definition file may declare an **entry quiz** (``PathPositioning``, by assessment code:
quality sits above assessments but the definition names it as the file does). In each cohort a
learner has one **positioning** (``Positioning``): at entry they **self-assess** every competency
on the path's proficiency scale (``PositioningLevel.self_level``), and a trainer records the
**entry level** they retain per competency (``entry_level``) and the **adjustments** decided
for the learner's course (free text). The ex post is the learner's final competency levels
(``lms.learning.competencies``), not stored here. Levels stay within the path's scale: the
services check the bounds, the database keeps them non-negative.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.core.db import UTCDateTime
from lms.core.time import utcnow
from lms.curriculum.models import Competency, TrainingPath
from lms.extensions import Model

# Part of the path definition, not a use of the path (lms.curriculum.services).
DEFINITION = {"path_definition": True}


class PathPositioning(Model):
    """How a path positions its learners at entry: ``[positioning]`` in the definition file."""

    __tablename__ = "path_positionings"
    __table_args__ = ({"info": DEFINITION},)

    path_id: Mapped[int] = mapped_column(
        ForeignKey("training_paths.id", ondelete="CASCADE"), primary_key=True
    )
    # The code of a quiz of the path the learner may take at entry (None: no entry quiz).
    entry_quiz_code: Mapped[str | None] = mapped_column(String(20))
    # What the learner reads before self-assessing (Markdown).
    instructions: Mapped[str] = mapped_column(Text, default="")

    path: Mapped[TrainingPath] = relationship()


class Positioning(Model):
    """A learner's entry positioning in a cohort."""

    __tablename__ = "positionings"
    __table_args__ = (UniqueConstraint("cohort_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # When the learner last submitted their self-assessment (None: not done yet).
    self_assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The adjustments of the course decided for this learner, as the trainer writes them.
    adjustments: Mapped[str] = mapped_column(Text, default="")
    # Who recorded the entry levels and adjustments, and when (None: not reviewed yet).
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Two people saving at once: the second save is refused (409) rather than lost.
    version_id: Mapped[int] = mapped_column(default=1)

    cohort: Mapped[Cohort] = relationship()
    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    levels: Mapped[list[PositioningLevel]] = relationship(
        back_populates="positioning", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    def __repr__(self) -> str:
        return f"<Positioning {self.id} learner={self.learner_id} cohort={self.cohort_id}>"


class PositioningLevel(Model):
    """One competency of a positioning: the learner's own level and the entry level retained."""

    __tablename__ = "positioning_levels"
    __table_args__ = (
        UniqueConstraint("positioning_id", "competency_id"),
        CheckConstraint("self_level IS NULL OR self_level >= 0", name="self_level_not_negative"),
        CheckConstraint("entry_level IS NULL OR entry_level >= 0", name="entry_level_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    positioning_id: Mapped[int] = mapped_column(
        ForeignKey("positionings.id", ondelete="CASCADE"), index=True
    )
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id", ondelete="RESTRICT"))
    self_level: Mapped[int | None]
    # What the learner says about it, optional.
    self_comment: Mapped[str] = mapped_column(Text, default="")
    entry_level: Mapped[int | None]

    positioning: Mapped[Positioning] = relationship(back_populates="levels")
    competency: Mapped[Competency] = relationship()
