"""Double submissions raced for real (tests/live.py), on SQLite and PostgreSQL
(``LMS_TEST_DATABASE_URL``): one response is recorded, the other gets a clear answer (the 409
of an answered survey for a learner, the 410 of a used link for a contact), never a 500."""

from __future__ import annotations

from sqlalchemy import func

from lms.extensions import db
from lms.quality.surveys.models import SurveyAnswer, SurveyResponse
from tests.live import LiveClient, at_once, logged_in
from tests.quality.surveys.support import SurveyWorld, answers, contact_link

ROUNDS = 3


def responses_of(campaign_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        db.select(func.count()).select_from(SurveyResponse).filter_by(campaign_id=campaign_id)
    )


def test_a_learner_sending_the_form_twice_at_once_records_one_response(app, live_server):
    for round_ in range(ROUNDS):
        world = SurveyWorld()
        campaign = world.anonymous_campaign()
        learner = world.learners[0]
        browsers = [logged_in(app, live_server, learner) for _ in range(2)]
        db.session.commit()
        url = f"/surveys/{campaign.id}"
        found = at_once(
            [
                lambda b=browser, n=number, u=url: b.post(u, answers(objectifs=str(n)))
                for number, browser in enumerate(browsers, start=1)
            ]
        )
        statuses = sorted(answer.status for answer in found)
        assert statuses in ([302, 409], [303, 409]), (round_, [a.text[:300] for a in found])
        refused = next(answer for answer in found if answer.status == 409)
        assert "already answered" in refused.text
        assert responses_of(campaign.id) == 1
        answers_count = db.session.scalar(db.select(func.count()).select_from(SurveyAnswer))
        assert answers_count == 3 * (round_ + 1)


def test_two_submissions_of_one_link_record_one_response(app, live_server):
    for round_ in range(ROUNDS):
        world = SurveyWorld()
        participation, token = contact_link(world, email=f"financeur{round_}@example.org")
        db.session.commit()
        url = f"/surveys/link/{token}"
        browsers = [LiveClient(live_server, {}) for _ in range(2)]
        found = at_once(
            [
                lambda b=browser, n=number, u=url: b.post(u, answers(objectifs=str(n)))
                for number, browser in enumerate(browsers, start=1)
            ]
        )
        statuses = sorted(answer.status for answer in found)
        assert statuses == [200, 410], (round_, [a.text[:300] for a in found])
        refused = next(answer for answer in found if answer.status == 410)
        assert "already been used" in refused.text
        assert responses_of(participation.campaign_id) == 1
