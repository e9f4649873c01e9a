"""Funders' and employers' single-use links (SECURITY.md J40): random, stored hashed, expiring,
single use; unknown links 404, used or expired ones 410, and nothing recorded by a refused link;
sending again kills the old link; the public page is rate-limited and the token never logged."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func

from lms.core.time import utcnow
from lms.extensions import db
from lms.quality.surveys.models import SurveyAnswer, SurveyParticipation, SurveyResponse
from tests.quality.surveys.support import answers, contact_link, expire


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(db.select(func.count()).select_from(SurveyResponse)),
        db.session.scalar(db.select(func.count()).select_from(SurveyAnswer)),
    )


def test_only_the_tokens_sha256_is_stored(app, world):
    participation, token = contact_link(world)
    assert len(token) >= 40
    assert participation.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(db.session.execute(db.select(SurveyParticipation.__table__)).all())


def test_the_public_page_shows_the_survey_without_an_account(client, world):
    _participation, token = contact_link(world)
    page = client.get(f"/surveys/link/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Fanny Financeur" in text
    assert "Objectifs atteints ?" in text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    for learner in world.learners:
        assert learner.display_name not in text


def test_the_link_records_the_answer_once_then_is_gone(client, world):
    participation, token = contact_link(world)
    done = client.post(f"/surveys/link/{token}", data=answers(avis="Partenariat utile."))
    assert done.status_code == 200
    assert "are recorded" in done.get_data(as_text=True)
    response = db.session.scalar(db.select(SurveyResponse))
    assert response.participation_id == participation.id  # a named funder survey
    before = counts()
    again = client.post(f"/surveys/link/{token}", data=answers())
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)
    assert client.get(f"/surveys/link/{token}").status_code == 410
    assert counts() == before


@pytest.mark.parametrize(
    "token", ["UnknownTokenUnknownToken01234", "short", "bad token with spaces!!!!!!!!!"]
)
def test_an_unknown_link_is_a_404_and_records_nothing(client, world, token):
    contact_link(world)
    assert client.get(f"/surveys/link/{token}").status_code == 404
    assert client.post(f"/surveys/link/{token}", data=answers()).status_code == 404
    assert counts() == (0, 0)


def test_an_expired_link_is_a_410_and_records_nothing(client, world):
    participation, token = contact_link(world)
    expire(participation)
    answer = client.post(f"/surveys/link/{token}", data=answers())
    assert answer.status_code == 410
    assert "expired" in answer.get_data(as_text=True)
    assert counts() == (0, 0)
    assert db.session.get(SurveyParticipation, participation.id).answered is False


def test_a_link_of_a_closed_survey_is_a_410(client, world):
    participation, token = contact_link(world)
    campaign = participation.campaign
    campaign.closes_at = utcnow() - timedelta(seconds=1)
    campaign.opens_at = utcnow() - timedelta(days=10)
    db.session.commit()
    answer = client.post(f"/surveys/link/{token}", data=answers())
    assert answer.status_code == 410
    assert "closed" in answer.get_data(as_text=True)
    assert counts() == (0, 0)


def test_a_form_error_keeps_the_link_usable(client, world):
    _participation, token = contact_link(world)
    page = client.post(f"/surveys/link/{token}", data=answers(objectifs=""))
    assert page.status_code == 200
    assert 'id="q_objectifs-errors"' in page.get_data(as_text=True)
    assert counts() == (0, 0)
    assert client.post(f"/surveys/link/{token}", data=answers()).status_code == 200


def test_sending_again_kills_the_old_link(app, world):
    from lms.quality.surveys.links import new_token

    participation, old = contact_link(world)
    new = new_token(participation)
    db.session.commit()
    client = app.test_client()
    assert client.get(f"/surveys/link/{old}").status_code == 404
    assert client.get(f"/surveys/link/{new}").status_code == 200


def test_an_answered_contact_gets_no_new_link(app, world):
    from lms.quality.surveys.links import new_token

    participation, token = contact_link(world)
    app.test_client().post(f"/surveys/link/{token}", data=answers())
    db.session.expire_all()
    assert new_token(participation) is None


def test_the_public_page_is_rate_limited(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_SURVEY_LINK", "3 per minute")
    statuses = [
        client.get("/surveys/link/UnknownTokenUnknownToken01234").status_code for _ in range(4)
    ]
    assert statuses == [404, 404, 404, 429]


def test_the_form_checks_csrf(client, world, csrf_enabled):
    _participation, token = contact_link(world)
    assert client.post(f"/surveys/link/{token}", data=answers()).status_code == 400
    assert counts() == (0, 0)


def test_the_token_is_never_logged(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    _participation, token = contact_link(world)
    client.post(f"/surveys/link/{token}", data=answers())
    client.get(f"/surveys/link/{token}")
    assert token not in caplog.text


def test_the_redaction_covers_the_link_in_access_logs():
    from lms.core.redaction import redact

    line = "GET /surveys/link/Abc-123_xyz?x=1 HTTP/1.1"
    assert redact(line) == "GET /surveys/link/[redacted]?x=1 HTTP/1.1"


def test_an_anonymous_funder_survey_keeps_no_link_between_contact_and_answer(client, world):
    world.funder.anonymous = True
    db.session.commit()
    participation, token = contact_link(world)
    client.post(f"/surveys/link/{token}", data=answers())
    response = db.session.scalar(db.select(SurveyResponse))
    assert response.participation_id is None
    assert response.submitted_at is None
    assert db.session.get(SurveyParticipation, participation.id).answered is True
