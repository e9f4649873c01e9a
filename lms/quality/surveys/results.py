"""What staff read of a campaign: response rates, figures per question, comments, the CSV.

Every figure is computed in SQL over the campaign's rows, in a fixed number of queries whatever
the number of responses. Comments are listed in alphabetical order, never in the order they
came (an anonymous survey's order of arrival could be matched with who answered when); the
results page never shows who wrote what, even for a named survey: it lists who answered apart.
The CSV of an anonymous survey has one row per response, sorted by its answers, without any
person or response id; that of a named survey names the person and the time of each response.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func

from lms.accounts.models import User
from lms.core.formatting import format_moment
from lms.extensions import db
from lms.quality.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyCampaign,
    SurveyParticipation,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
)


@dataclass(frozen=True)
class Rate:
    """How many were asked and how many answered."""

    asked: int = 0
    answered: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.answered / self.asked) if self.asked else None


@dataclass
class QuestionResult:
    """The figures of one question: counts per value or choice, mean, comments."""

    question: SurveyQuestion
    counts: list[tuple[str, int]] = field(default_factory=list)
    answers: int = 0
    mean: float | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def most(self) -> int:
        return max((count for _label, count in self.counts), default=0)


def rates(campaign_ids: list[int]) -> dict[int, Rate]:
    """Return the response rate of each campaign (one query)."""
    rows = db.session.execute(
        db.select(
            SurveyParticipation.campaign_id,
            func.count(),
            func.count().filter(SurveyParticipation.answered.is_(True)),
        )
        .where(SurveyParticipation.campaign_id.in_(campaign_ids))
        .group_by(SurveyParticipation.campaign_id)
    )
    return {key: Rate(asked, answered) for key, asked, answered in rows}


def question_results(campaign: SurveyCampaign, survey: Survey) -> list[QuestionResult]:
    """Return the figures of each question of the campaign (three queries)."""
    in_campaign = SurveyAnswer.response_id.in_(
        db.select(SurveyResponse.id).where(SurveyResponse.campaign_id == campaign.id)
    )
    results = {question.id: QuestionResult(question) for question in survey.questions}
    scale_counts: dict[int, dict[Any, int]] = defaultdict(dict)
    for question_id, scale_value, choice, count in db.session.execute(
        db.select(
            SurveyAnswer.question_id, SurveyAnswer.scale_value, SurveyAnswer.choice, func.count()
        )
        .where(in_campaign, SurveyAnswer.text.is_(None))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.scale_value, SurveyAnswer.choice)
    ):
        scale_counts[question_id][scale_value if scale_value is not None else choice] = count
    for question_id, text in db.session.execute(
        db.select(SurveyAnswer.question_id, SurveyAnswer.text)
        .where(in_campaign, SurveyAnswer.text.is_not(None))
        .order_by(SurveyAnswer.question_id, func.lower(SurveyAnswer.text), SurveyAnswer.text)
    ):
        results[question_id].comments.append(text)
    for result in results.values():
        _fill(result, survey, scale_counts.get(result.question.id, {}))
    return list(results.values())


def _fill(result: QuestionResult, survey: Survey, counts: dict[Any, int]) -> None:
    """Set a scale or choice question's counts (every value, even unchosen) and mean."""
    question = result.question
    if question.kind == SurveyQuestionKind.SCALE:
        result.counts = [
            (f"{value} – {label}", counts.get(value, 0))
            for value, label in enumerate(survey.scale_labels, start=1)
        ]
        total = sum(counts.values())
        if total:
            result.mean = sum(value * count for value, count in counts.items()) / total
    elif question.kind == SurveyQuestionKind.CHOICE:
        result.counts = [(choice, counts.get(choice, 0)) for choice in question.choices]
    result.answers = sum(counts.values()) if counts else len(result.comments)


def people(campaign: SurveyCampaign) -> list[tuple[SurveyParticipation, str]]:
    """Return who is asked, with their name, in name order (one query): whether, not what."""
    rows = db.session.execute(
        db.select(SurveyParticipation, User.display_name)
        .outerjoin(User, User.id == SurveyParticipation.learner_id)
        .where(SurveyParticipation.campaign_id == campaign.id)
    ).all()
    found = [(participation, name or participation.contact_name) for participation, name in rows]
    return sorted(found, key=lambda row: (row[1].lower(), row[0].id))


def csv_rows(campaign: SurveyCampaign, survey: Survey) -> list[list[object]]:
    """Return the campaign's responses as CSV rows (header first); see the module's docstring."""
    questions = list(survey.questions)
    by_response: dict[int, dict[int, Any]] = defaultdict(dict)
    for response_id, question_id, scale_value, choice, text in db.session.execute(
        db.select(
            SurveyAnswer.response_id,
            SurveyAnswer.question_id,
            SurveyAnswer.scale_value,
            SurveyAnswer.choice,
            SurveyAnswer.text,
        ).where(
            SurveyAnswer.response_id.in_(
                db.select(SurveyResponse.id).where(SurveyResponse.campaign_id == campaign.id)
            )
        )
    ):
        value = scale_value if scale_value is not None else choice if choice is not None else text
        by_response[response_id][question_id] = value
    header: list[object] = [question.text for question in questions]
    if survey.anonymous:
        rows = [[answers.get(q.id, "") for q in questions] for answers in by_response.values()]
        rows.sort(key=lambda row: [str(cell) for cell in row])
        return [header, *rows]
    named = db.session.execute(
        db.select(
            SurveyResponse.id,
            SurveyResponse.submitted_at,
            func.coalesce(User.display_name, SurveyParticipation.contact_name),
            SurveyParticipation.organisation,
            func.coalesce(User.email, SurveyParticipation.email),
        )
        .join(SurveyParticipation, SurveyParticipation.id == SurveyResponse.participation_id)
        .outerjoin(User, User.id == SurveyParticipation.learner_id)
        .where(SurveyResponse.campaign_id == campaign.id)
    ).all()
    rows = [
        [
            name,
            organisation,
            email,
            format_moment(submitted_at) if submitted_at else "",
            *(by_response[key].get(q.id, "") for q in questions),
        ]
        for key, submitted_at, name, organisation, email in named
    ]
    rows.sort(key=lambda row: str(row[0]).lower())
    return [[_("Name"), _("Organisation"), _("E-mail"), _("Submitted at"), *header], *rows]
