"""Satisfaction: response rates and the mean of each scale question, per group of surveys.

Groups: « à chaud » (``module_hot`` and ``path_hot``), « à froid » (``path_cold``) and funders
(``funder``), over the campaigns put to the scope's cohorts ending in the period. The response
rate is answered participations over participations; a question's mean is over its scale
answers, questions of one survey code and question code counted together across path versions.
Anonymous responses count like the others: they are reached through their campaign, never a
person. Three statements whatever the number of answers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, func

from lms.extensions import db
from lms.quality.indicators.ratio import Ratio
from lms.quality.indicators.scope import Scope
from lms.quality.surveys.models import (
    HOT_KINDS,
    Survey,
    SurveyAnswer,
    SurveyCampaign,
    SurveyKind,
    SurveyParticipation,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
)

HOT, COLD, FUNDER = "hot", "cold", "funder"
GROUPS = (HOT, COLD, FUNDER)


def group_of(kind: str) -> str:
    """Return the group of a survey kind."""
    if kind in HOT_KINDS:
        return HOT
    return COLD if kind == SurveyKind.PATH_COLD else FUNDER


@dataclass(frozen=True)
class QuestionFigures:
    survey_code: str
    survey_title: str
    code: str
    text: str
    answers: int  # people who answered it (one answer per response)
    mean: float | None
    scale_top: int  # the highest value of the survey's scale


@dataclass(frozen=True)
class GroupFigures:
    group: str
    participations: int
    answered: int
    questions: tuple[QuestionFigures, ...]

    @property
    def response(self) -> Ratio:
        return Ratio(self.answered, self.participations, self.participations)


@dataclass(frozen=True)
class SatisfactionFigures:
    groups: tuple[GroupFigures, ...]

    def group(self, name: str) -> GroupFigures:
        return next(group for group in self.groups if group.group == name)


def _rates(campaigns) -> dict[str, tuple[int, int]]:
    query = (
        db.select(
            Survey.kind,
            func.count(SurveyParticipation.id),
            func.count(case((SurveyParticipation.answered, 1))),
        )
        .select_from(SurveyParticipation)
        .join(SurveyCampaign, SurveyCampaign.id == SurveyParticipation.campaign_id)
        .join(Survey, Survey.id == SurveyCampaign.survey_id)
        .where(SurveyCampaign.id.in_(campaigns))
        .group_by(Survey.kind)
    )
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for kind, asked, answered in db.session.execute(query):
        found[group_of(kind)][0] += asked
        found[group_of(kind)][1] += answered
    return {group: (values[0], values[1]) for group, values in found.items()}


def _means(campaigns) -> list:
    query = (
        db.select(
            Survey.kind,
            Survey.code,
            SurveyQuestion.code,
            func.min(Survey.title),
            func.min(SurveyQuestion.text),
            func.min(Survey.position),
            func.min(SurveyQuestion.position),
            func.count(SurveyAnswer.id),
            func.avg(SurveyAnswer.scale_value),
        )
        .select_from(SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .join(Survey, Survey.id == SurveyQuestion.survey_id)
        .where(
            SurveyResponse.campaign_id.in_(campaigns),
            SurveyQuestion.kind == SurveyQuestionKind.SCALE,
            SurveyAnswer.scale_value.is_not(None),
        )
        .group_by(Survey.kind, Survey.code, SurveyQuestion.code)
    )
    return list(db.session.execute(query).tuples())


def _scale_tops(campaigns) -> dict[str, int]:
    """Return survey code -> the highest value of its scale (its latest version's)."""
    surveys = db.select(SurveyCampaign.survey_id).where(SurveyCampaign.id.in_(campaigns))
    rows = db.session.execute(
        db.select(Survey.code, Survey.scale_labels)
        .where(Survey.id.in_(surveys))
        .order_by(Survey.id)
    )
    return {code: len(labels or ()) for code, labels in rows}


def satisfaction_figures(scope: Scope) -> SatisfactionFigures:
    """Return the three groups' response rates and question means (three statements)."""
    campaigns = db.select(SurveyCampaign.id).where(
        SurveyCampaign.cohort_id.in_(scope.cohort_ids(ending=True))
    )
    rates = _rates(campaigns)
    rows = _means(campaigns)
    tops = _scale_tops(campaigns)
    questions: dict[str, list] = defaultdict(list)
    for kind, survey, code, title, text, _survey_at, _question_at, answers, mean in sorted(
        rows, key=lambda row: (row[5], row[6], row[1], row[2])
    ):
        mean = None if mean is None else round(float(mean), 2)
        figures = QuestionFigures(survey, title, code, text, answers, mean, tops.get(survey, 0))
        questions[group_of(kind)].append(figures)
    return SatisfactionFigures(
        tuple(
            GroupFigures(group, *rates.get(group, (0, 0)), tuple(questions[group]))
            for group in GROUPS
        )
    )
