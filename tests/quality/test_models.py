"""The quality tables keep their rules themselves: what the services rely on cannot be broken."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.quality.surveys.models import SurveyKind
from tests.factories import (
    PositioningLevelFactory,
    SurveyAnswerFactory,
    SurveyCampaignFactory,
    SurveyFactory,
    SurveyParticipationFactory,
    SurveyResponseFactory,
)


def _refused(build) -> None:
    """Tell that creating the rows (the factories commit) breaks a rule of the database."""
    with pytest.raises(IntegrityError):
        build()
    db.session.rollback()


def test_factories_build_a_named_answer(app):
    answer = SurveyAnswerFactory()
    db.session.flush()
    assert answer.response.participation.campaign is answer.response.campaign
    assert answer.value == 4


def test_an_anonymous_response_has_neither_person_nor_time(app):
    campaign = SurveyCampaignFactory(survey=SurveyFactory(anonymous=True))
    SurveyResponseFactory(campaign=campaign, participation=None, submitted_at=None)
    db.session.flush()
    _refused(lambda: SurveyResponseFactory(campaign=campaign, participation=None))


def test_an_answer_holds_exactly_one_value(app):
    _refused(lambda: SurveyAnswerFactory(scale_value=None))
    _refused(lambda: SurveyAnswerFactory(scale_value=3, text="Très bien"))


def test_a_participation_is_a_learner_or_a_contact(app):
    _refused(lambda: SurveyParticipationFactory(learner=None))
    _refused(lambda: SurveyParticipationFactory(email="financeur@example.org"))


def test_only_cold_surveys_have_a_delay(app):
    SurveyFactory(kind=SurveyKind.PATH_COLD)
    db.session.flush()
    _refused(lambda: SurveyFactory(kind=SurveyKind.PATH_HOT, delay_days=30))
    _refused(lambda: SurveyFactory(kind=SurveyKind.PATH_COLD, delay_days=None))


def test_one_campaign_per_survey_cohort_and_module(app):
    campaign = SurveyCampaignFactory()
    db.session.flush()
    _refused(lambda: SurveyCampaignFactory(survey=campaign.survey, cohort=campaign.cohort))


def test_levels_are_not_negative(app):
    _refused(lambda: PositioningLevelFactory(self_level=-1))
    _refused(lambda: PositioningLevelFactory(entry_level=-1))
