"""Recording a response: a learner's in the application, a funder's or employer's by link.

One rule for both (``record_response``): the person's participation is **claimed** in one
statement (``UPDATE … SET answered = true WHERE … AND answered = false``): of two submissions at
once, the second waits for the first's transaction and then claims nothing, and is told the
answer is already recorded (``AlreadyAnswered``: a 409 for a learner, the 410 of a used link for
a contact). Then the response and its answers are written in the same transaction.

**Anonymity (SECURITY.md J43).** For an anonymous survey the response carries neither the
participation nor a time: the only trace of the person is ``answered = true`` on their
participation, which says nothing of what they answered. Nothing here logs, audits or returns
who wrote which response (no audit event, no log line with the response's id); the response's
id is not even returned to the caller.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy.engine import CursorResult

from lms.core.time import utcnow
from lms.extensions import db
from lms.quality.surveys.campaigns import SurveyError, is_open
from lms.quality.surveys.models import (
    SurveyAnswer,
    SurveyCampaign,
    SurveyParticipation,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
)

TEXT_MAX = 5000


class AlreadyAnswered(SurveyError):
    """The participation's answer is already recorded (answers once, changes nothing)."""


class CampaignClosed(SurveyError):
    """The campaign does not take answers (not open yet, or closed)."""


class AnswerRefused(SurveyError):
    """One answer is missing or not allowed; ``question`` names its question's code."""

    def __init__(self, message: str, question: str) -> None:
        super().__init__(message)
        self.question = question


def check_answers(questions: list[SurveyQuestion], scale_size: int, values: dict[str, Any]):
    """Return the answers to record, by question; refuse a missing or impossible one."""
    checked: dict[SurveyQuestion, Any] = {}
    for question in questions:
        value = values.get(question.code)
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            if question.required:
                raise AnswerRefused(_("This question needs an answer."), question.code)
            continue
        checked[question] = _checked_value(question, scale_size, value)
    return checked


def _checked_value(question: SurveyQuestion, scale_size: int, value: Any) -> Any:
    """Return a value fit for the question's kind, or refuse it."""
    if question.kind == SurveyQuestionKind.SCALE:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= scale_size:
            raise AnswerRefused(_("Choose one of the values shown."), question.code)
        return number
    if question.kind == SurveyQuestionKind.CHOICE:
        if value not in question.choices:
            raise AnswerRefused(_("Choose one of the answers shown."), question.code)
        return value
    if len(value) > TEXT_MAX:
        raise AnswerRefused(_("Write at most %(n)d characters.", n=TEXT_MAX), question.code)
    return value


def record_response(
    participation: SurveyParticipation, values: dict[str, Any], now: datetime | None = None
) -> None:
    """Record the participation's answers once (flushes); refuse a closed campaign or a repeat."""
    now = now or utcnow()
    campaign = participation.campaign
    survey = campaign.survey
    if not is_open(campaign, now):
        raise CampaignClosed(_("This survey is closed: it no longer takes answers."))
    answers = check_answers(list(survey.questions), len(survey.scale_labels), values)
    claim(participation)
    response = SurveyResponse(
        campaign_id=campaign.id,
        participation_id=None if survey.anonymous else participation.id,
        submitted_at=None if survey.anonymous else now,
    )
    db.session.add(response)
    db.session.flush()
    db.session.add_all(
        SurveyAnswer(response_id=response.id, question_id=question.id, **_columns(question, value))
        for question, value in answers.items()
    )
    db.session.flush()
    # The response is not kept in the session's identity map past this point for anonymous
    # surveys: nothing later in the request can reach it from the participation.
    if survey.anonymous:
        db.session.expunge(response)


def claim(participation: SurveyParticipation) -> None:
    """Mark the participation answered in one statement; refuse when it already is."""
    result = db.session.execute(
        db.update(SurveyParticipation)
        .where(SurveyParticipation.id == participation.id, SurveyParticipation.answered.is_(False))
        .values(answered=True)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult, result).rowcount != 1:
        raise AlreadyAnswered(_("Your answer is already recorded: a survey is answered once."))


def _columns(question: SurveyQuestion, value: Any) -> dict[str, Any]:
    """Return the answer's one column for the question's kind."""
    if question.kind == SurveyQuestionKind.SCALE:
        return {"scale_value": value}
    if question.kind == SurveyQuestionKind.CHOICE:
        return {"choice": value}
    return {"text": value}


def learner_participation(campaign: SurveyCampaign, learner_id: int) -> SurveyParticipation | None:
    """Return the learner's participation in the campaign, or None when they are not asked."""
    return db.session.scalar(
        db.select(SurveyParticipation).filter_by(campaign_id=campaign.id, learner_id=learner_id)
    )
