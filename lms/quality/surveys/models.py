"""Satisfaction surveys (Qualiopi indicator 30): declared by the path, answered per cohort.

The path-definition file declares its **surveys** (``Survey``) and their **questions**
(``SurveyQuestion``: a value on the survey's scale, one choice among those listed, or free text).
A survey is of one **kind** (``SurveyKind``): « à chaud » at the end of each module or of the
path, « à froid » some days after the cohort's end, or for the cohort's funders and employers.

Each time a survey is put to a cohort (for a module, for module surveys) is a **campaign**
(``SurveyCampaign``), open between two instants and reminded once. Who is asked is a
**participation** (``SurveyParticipation``): a learner of the cohort, or a funder or employer
reached by e-mail through a single-use link (token stored as its SHA-256, with an expiry).
What they answer is a **response** (``SurveyResponse``) with one **answer** per question
(``SurveyAnswer``).

**Anonymity.** A participation only says *whether* its person answered (for the reminder and
the response rate). When the survey is anonymous, the response carries neither the participation
nor any time: nothing in the database joins an answer to a person, and the pages and exports
never order anonymous answers by when they came. When it is not, the response names its
participation and when it was submitted.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.core.db import UTCDateTime
from lms.core.enums import enum_column_type
from lms.core.time import utcnow
from lms.curriculum.models import Module, TrainingPath
from lms.extensions import Model

# Part of the path definition, not a use of the path (lms.curriculum.services).
DEFINITION = {"path_definition": True}


class SurveyKind(StrEnum):
    """When a survey is put, and to whom."""

    MODULE_HOT = "module_hot"  # « à chaud », at the end of each module, to its learners
    PATH_HOT = "path_hot"  # « à chaud », at the end of the path, to the cohort's learners
    PATH_COLD = "path_cold"  # « à froid », delay_days after the cohort's end, to its learners
    FUNDER = "funder"  # to the cohort's funders and employers, through single-use links


HOT_KINDS = frozenset({SurveyKind.MODULE_HOT, SurveyKind.PATH_HOT})


class SurveyQuestionKind(StrEnum):
    """How a question is answered."""

    SCALE = "scale"  # one value of the survey's scale (1 … n)
    CHOICE = "choice"  # one of the question's choices
    TEXT = "text"  # free text


class Survey(Model):
    """A survey the path declares: ``[[surveys]]`` in the definition file."""

    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("path_id", "code"),
        CheckConstraint(
            "(kind = 'path_cold') = (delay_days IS NOT NULL)", name="delay_for_cold_surveys"
        ),
        CheckConstraint("delay_days IS NULL OR delay_days BETWEEN 1 AND 730", name="delay_range"),
        {"info": DEFINITION},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("training_paths.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[SurveyKind] = mapped_column(enum_column_type(SurveyKind, "survey_kind"))
    title: Mapped[str] = mapped_column(String(200))
    # What the respondent reads first (Markdown).
    introduction: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(default=False)
    # « À froid »: days after the cohort's end when the survey opens (default 90 in the file).
    delay_days: Mapped[int | None]
    # The labels of the scale's values 1 … n, in order (2 to 10 of them).
    scale_labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int]

    path: Mapped[TrainingPath] = relationship()
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Survey {self.code} {self.kind}>"


class SurveyQuestion(Model):
    """One question of a survey."""

    __tablename__ = "survey_questions"
    __table_args__ = (
        UniqueConstraint("survey_id", "code"),
        UniqueConstraint("survey_id", "position"),
        {"info": DEFINITION},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    kind: Mapped[SurveyQuestionKind] = mapped_column(
        enum_column_type(SurveyQuestionKind, "survey_question_kind")
    )
    text: Mapped[str] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(default=True)
    # The choices of a choice question, in order (empty for the other kinds).
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)

    survey: Mapped[Survey] = relationship(back_populates="questions")


class SurveyCampaign(Model):
    """A survey put to a cohort (for one module, for module surveys)."""

    __tablename__ = "survey_campaigns"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        # One campaign per survey, cohort and module; NULL modules are distinct in a plain
        # unique constraint, hence the two partial indexes.
        Index(
            "uq_survey_campaigns_module",
            "survey_id",
            "cohort_id",
            "module_id",
            unique=True,
            sqlite_where=text("module_id IS NOT NULL"),
            postgresql_where=text("module_id IS NOT NULL"),
        ),
        Index(
            "uq_survey_campaigns_path",
            "survey_id",
            "cohort_id",
            unique=True,
            sqlite_where=text("module_id IS NULL"),
            postgresql_where=text("module_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="RESTRICT"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="RESTRICT"))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the one reminder went to those who had not answered (None: not yet).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    survey: Mapped[Survey] = relationship()
    cohort: Mapped[Cohort] = relationship()
    module: Mapped[Module | None] = relationship()
    participations: Mapped[list[SurveyParticipation]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )


class SurveyParticipation(Model):
    """Someone asked to answer a campaign: a learner, or a funder or employer by e-mail."""

    __tablename__ = "survey_participations"
    __table_args__ = (
        UniqueConstraint("campaign_id", "learner_id"),
        UniqueConstraint("campaign_id", "email"),
        # A learner (an account) or a contact reached by e-mail, never both.
        CheckConstraint("(learner_id IS NULL) <> (email IS NULL)", name="learner_or_contact"),
        CheckConstraint(
            "token_sha256 IS NULL OR (email IS NOT NULL AND expires_at IS NOT NULL)",
            name="links_for_contacts",
        ),
        CheckConstraint(
            "token_sha256 IS NULL OR length(token_sha256) = 64", name="token_sha256_is_hex_digest"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("survey_campaigns.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # A funder's or employer's contact (lower case), and who they are, as typed.
    email: Mapped[str | None] = mapped_column(String(254))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    # The single-use link: SHA-256 of its token, valid until expires_at, set when it is sent.
    token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Whether they answered; deliberately no time (see the module's docstring).
    answered: Mapped[bool] = mapped_column(default=False)

    campaign: Mapped[SurveyCampaign] = relationship(back_populates="participations")
    learner: Mapped[User | None] = relationship()


class SurveyResponse(Model):
    """One person's answers to a campaign; anonymous ones carry neither person nor time."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        CheckConstraint(
            "(participation_id IS NULL) = (submitted_at IS NULL)", name="named_with_time"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("survey_campaigns.id", ondelete="CASCADE"), index=True
    )
    # The participation it answers, and when (both None when the survey is anonymous).
    participation_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_participations.id", ondelete="CASCADE"), unique=True
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    campaign: Mapped[SurveyCampaign] = relationship()
    participation: Mapped[SurveyParticipation | None] = relationship()
    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class SurveyAnswer(Model):
    """The answer to one question: a scale value, a choice or a text, exactly one."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        CheckConstraint(
            "(CASE WHEN scale_value IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN choice IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN text IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_value",
        ),
        CheckConstraint("scale_value IS NULL OR scale_value >= 1", name="scale_value_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="RESTRICT"), index=True
    )
    scale_value: Mapped[int | None]
    choice: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()

    @property
    def value(self) -> Any:
        """Return the answer's value, whichever kind it is."""
        if self.scale_value is not None:
            return self.scale_value
        return self.choice if self.choice is not None else self.text
