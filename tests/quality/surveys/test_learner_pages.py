"""A learner's surveys: « Mes questionnaires », the form, required answers beside their field,
answering once (409 the second time, nothing changed), closed campaigns refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func

from lms.core.time import utcnow
from lms.extensions import db
from lms.quality.surveys.models import (
    SurveyAnswer,
    SurveyCampaign,
    SurveyParticipation,
    SurveyResponse,
)
from tests.factories import UserFactory
from tests.quality.surveys.support import answers
from tests.web.helpers import log_in


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(db.select(func.count()).select_from(SurveyResponse)),
        db.session.scalar(db.select(func.count()).select_from(SurveyAnswer)),
    )


def test_my_surveys_lists_the_open_campaigns_i_am_asked_in(app, world):
    named = world.named_campaign()
    world.anonymous_campaign()
    closed = world.campaign(world.module_hot, world.modules[1])
    closed.opens_at = utcnow() - timedelta(days=30)
    closed.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    page = client_of(app, world.learners[0]).get("/surveys").get_data(as_text=True)
    assert page.count('class="card survey-item"') == 2
    assert f'href="/surveys/{named.id}"' in page
    assert f'data-campaign="{closed.id}"' not in page
    assert "anonymous" in page


def test_nothing_awaits_a_learner_without_campaigns(app, world):
    page = client_of(app, world.learners[0]).get("/surveys").get_data(as_text=True)
    assert 'id="no-surveys"' in page


def test_the_form_shows_the_scale_as_radio_buttons_and_says_when_anonymous(app, world):
    campaign = world.anonymous_campaign()
    page = client_of(app, world.learners[0]).get(f"/surveys/{campaign.id}").get_data(as_text=True)
    assert page.count('type="radio"') == 4 + 3  # the scale's four values, three choices
    assert "Plutôt oui" in page
    assert "<textarea" in page
    assert 'id="anonymous-notice"' in page
    assert "not even you" in page


def test_a_named_survey_says_it_is_not_anonymous(app, world):
    campaign = world.named_campaign()
    page = client_of(app, world.learners[0]).get(f"/surveys/{campaign.id}").get_data(as_text=True)
    assert 'id="named-notice"' in page


def test_answering_records_the_response_once_and_a_second_time_is_a_409(app, world):
    campaign = world.named_campaign()
    client = client_of(app, world.learners[0])
    answer = client.post(f"/surveys/{campaign.id}", data=answers(plus="Merci !"))
    assert answer.headers["Location"].endswith("/surveys")
    response = db.session.scalar(db.select(SurveyResponse))
    assert response.participation.learner_id == world.learners[0].id
    assert response.submitted_at is not None
    values = sorted(str(answer.value) for answer in response.answers)
    assert values == ["3", "Adapté", "Merci !", "Très bien."]
    before = counts()
    again = client.post(f"/surveys/{campaign.id}", data=answers(objectifs="1"))
    assert again.status_code == 409
    assert "already answered" in again.get_data(as_text=True)
    assert counts() == before
    assert client.get(f"/surveys/{campaign.id}").status_code == 200  # says it is recorded
    listing = client.get("/surveys").get_data(as_text=True)
    assert "Answered" in listing


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (answers(objectifs=""), "q_objectifs", "This question needs an answer."),
        (answers(rythme=""), "q_rythme", "This question needs an answer."),
        (answers(avis="   "), "q_avis", "This question needs an answer."),
        (answers(objectifs="9"), "q_objectifs", "Not a valid choice"),
        (answers(rythme="Éclair"), "q_rythme", "Not a valid choice"),
        (answers(avis="x" * 5001), "q_avis", "5000"),
        (answers(avis="a\u202eb"), "q_avis", ""),
    ],
)
def test_a_missing_or_impossible_answer_is_shown_beside_its_question(
    app, world, data, field, message
):
    campaign = world.named_campaign()
    client = client_of(app, world.learners[0])
    page = client.post(f"/surveys/{campaign.id}", data=data)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'id="{field}-errors"' in text
    assert message in text
    assert counts() == (0, 0)
    assert (
        db.session.scalar(
            db.select(SurveyParticipation.answered).filter_by(learner_id=world.learners[0].id)
        )
        is False
    )


def test_an_optional_question_may_stay_empty(app, world):
    campaign = world.named_campaign()
    client_of(app, world.learners[0]).post(f"/surveys/{campaign.id}", data=answers(plus=""))
    assert counts() == (1, 3)


@pytest.mark.parametrize("when", ["closed", "not_open"])
def test_a_closed_campaign_is_refused_and_records_nothing(app, world, when):
    campaign = world.named_campaign()
    if when == "closed":
        campaign.opens_at = utcnow() - timedelta(days=30)
        campaign.closes_at = utcnow() - timedelta(seconds=1)
    else:
        campaign.opens_at = utcnow() + timedelta(days=1)
        campaign.closes_at = utcnow() + timedelta(days=20)
    db.session.commit()
    client = client_of(app, world.learners[0])
    answer = client.post(f"/surveys/{campaign.id}", data=answers())
    assert answer.status_code == 409
    assert "This survey is closed" in answer.get_data(as_text=True)
    assert counts() == (0, 0)


def test_someone_not_asked_is_refused(app, world):
    campaign = world.named_campaign()
    stranger = UserFactory()
    client = client_of(app, stranger)
    assert client.get(f"/surveys/{campaign.id}").status_code == 403
    assert client.post(f"/surveys/{campaign.id}", data=answers()).status_code == 403
    assert client_of(app, world.trainer).get(f"/surveys/{campaign.id}").status_code == 403
    assert client.get("/surveys/999999").status_code == 404
    assert counts() == (0, 0)


def test_the_anonymous_page_leaves_no_trace_of_who_answered_what(app, world):
    campaign = world.anonymous_campaign()
    client = client_of(app, world.learners[0])
    client.post(f"/surveys/{campaign.id}", data=answers(avis="Un avis très personnel."))
    response = db.session.scalar(db.select(SurveyResponse))
    assert response.participation_id is None
    assert response.submitted_at is None
    page = client.get(f"/surveys/{campaign.id}").get_data(as_text=True)
    assert 'id="anonymous-answered"' in page
    assert "Un avis très personnel." not in page  # not even the learner sees it again
    assert db.session.get(SurveyCampaign, campaign.id) is not None
