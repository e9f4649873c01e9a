"""The staff's survey pages: who may see them, response rates and reminders, results per
question, opening by hand, funders' contacts and their links, the named CSV; constant queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func

from lms.core.time import utcnow
from lms.extensions import db
from lms.quality.surveys.models import SurveyCampaign, SurveyParticipation
from tests.factories import (
    MembershipFactory,
    TerritoryAdministratorFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.quality.surveys.support import answers
from tests.web.helpers import log_in


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def people(world) -> dict[str, object]:
    local = UserFactory()
    TerritoryAdministratorFactory(user=local, territory=world.cohort.territory)
    far = UserFactory()
    TerritoryAdministratorFactory(user=far, territory=TerritoryFactory())
    assessor = UserFactory()
    MembershipFactory(user=assessor, cohort=world.cohort, assessor=True)
    other_trainer = UserFactory()
    MembershipFactory(user=other_trainer, trainer=True)
    return {
        "trainer": world.trainer,
        "admin": UserFactory(admin=True),
        "local_admin": local,
        "learner": world.learners[0],
        "assessor": assessor,
        "other_trainer": other_trainer,
        "far_admin": far,
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trainer", 200),
        ("admin", 200),
        ("local_admin", 200),
        ("learner", 403),
        ("assessor", 403),
        ("other_trainer", 403),
        ("far_admin", 404),
    ],
)
def test_who_sees_the_staff_pages(app, world, who, status):
    campaign = world.named_campaign()
    client = client_of(app, people(world)[who])
    for url in (
        f"/manage/cohorts/{world.cohort.id}/surveys",
        f"/manage/surveys/campaigns/{campaign.id}",
        f"/manage/surveys/campaigns/{campaign.id}/export.csv",
    ):
        assert client.get(url).status_code == status, url


def test_anonymous_visitors_go_to_the_login_page(client, world):
    campaign = world.named_campaign()
    answer = client.get(f"/manage/surveys/campaigns/{campaign.id}")
    assert answer.headers["Location"].startswith("/login?next=")


def test_the_cohort_page_shows_response_rates_and_reminders(app, world):
    campaign = world.named_campaign()
    client_of(app, world.learners[0]).post(f"/surveys/{campaign.id}", data=answers())
    campaign.reminded_at = utcnow()
    db.session.commit()
    page = client_of(app, world.trainer).get(f"/manage/cohorts/{world.cohort.id}/surveys")
    text = page.get_data(as_text=True)
    assert "1 / 3 (33" in text
    assert "sent on" in text


def test_the_results_show_the_distribution_mean_choices_and_comments(app, world):
    campaign = world.named_campaign()
    for learner, value, comment in zip(world.learners, "344", ("b", "a", "c"), strict=True):
        client_of(app, learner).post(
            f"/surveys/{campaign.id}", data=answers(objectifs=value, avis=f"Avis {comment}")
        )
    text = (
        client_of(app, world.trainer)
        .get(f"/manage/surveys/campaigns/{campaign.id}")
        .get_data(as_text=True)
    )
    assert "Mean: 3.7 out of 4" in text  # English decimals
    assert "3 / 3 (100" in text
    assert text.index("Avis a") < text.index("Avis b") < text.index("Avis c")
    assert "3 comments, in alphabetical order" in text


def test_staff_open_a_survey_by_hand_once(app, world):
    client = client_of(app, world.trainer)
    target = str(world.path_cold.id)
    answer = client.post(f"/manage/cohorts/{world.cohort.id}/surveys/open", data={"target": target})
    campaign = db.session.scalar(db.select(SurveyCampaign))
    assert answer.headers["Location"].endswith(f"/manage/surveys/campaigns/{campaign.id}")
    asked = db.session.scalar(db.select(func.count()).select_from(SurveyParticipation))
    assert asked == 3
    again = client.post(f"/manage/cohorts/{world.cohort.id}/surveys/open", data={"target": target})
    assert again.headers["Location"].endswith(f"/manage/cohorts/{world.cohort.id}/surveys")
    assert db.session.scalar(db.select(func.count()).select_from(SurveyCampaign)) == 1


def test_a_module_survey_is_opened_for_one_module(app, world):
    client = client_of(app, world.trainer)
    target = f"{world.module_hot.id}:{world.modules[1].id}"
    client.post(f"/manage/cohorts/{world.cohort.id}/surveys/open", data={"target": target})
    campaign = db.session.scalar(db.select(SurveyCampaign))
    assert campaign.module_id == world.modules[1].id


def test_a_learner_cannot_open_a_survey(app, world):
    client = client_of(app, world.learners[0])
    target = str(world.path_cold.id)
    answer = client.post(f"/manage/cohorts/{world.cohort.id}/surveys/open", data={"target": target})
    assert answer.status_code == 403
    assert db.session.scalar(db.select(func.count()).select_from(SurveyCampaign)) == 0


def test_staff_add_a_funder_who_gets_a_link_by_email(app, world, smtp_server):
    campaign = world.campaign(world.funder)
    client = client_of(app, world.trainer)
    answer = client.post(
        f"/manage/surveys/campaigns/{campaign.id}/contacts",
        data={"name": "Fanny Financeur", "organisation": "OPCO Sud", "email": "Fanny@Example.org"},
    )
    assert answer.headers["Location"].endswith(f"/manage/surveys/campaigns/{campaign.id}")
    (message,) = smtp_server
    assert message["To"] == "fanny@example.org"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "/surveys/link/" in body
    assert "English below" in body
    contact = db.session.scalar(db.select(SurveyParticipation))
    assert contact.token_sha256
    assert contact.expires_at
    assert contact.sent_at
    page = client.get(f"/manage/surveys/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Fanny Financeur" in page
    assert "Send a new link" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "organisation": "OPCO", "email": "a@example.org"}, "This field is required"),
        ({"name": "A", "organisation": "OPCO", "email": "pas-une-adresse"}, "Invalid email"),
        ({"name": "A\nB", "organisation": "OPCO", "email": "a@example.org"}, "line"),
    ],
)
def test_a_bad_contact_is_refused_beside_its_field(app, world, data, message):
    campaign = world.campaign(world.funder)
    answer = client_of(app, world.trainer).post(
        f"/manage/surveys/campaigns/{campaign.id}/contacts", data=data
    )
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert db.session.scalar(db.select(func.count()).select_from(SurveyParticipation)) == 0


def test_the_same_address_twice_is_refused(app, world):
    campaign = world.campaign(world.funder)
    client = client_of(app, world.trainer)
    data = {"name": "A", "organisation": "OPCO", "email": "a@example.org"}
    client.post(f"/manage/surveys/campaigns/{campaign.id}/contacts", data=data)
    again = client.post(f"/manage/surveys/campaigns/{campaign.id}/contacts", data=data)
    assert again.status_code == 422
    assert "already asked" in again.get_data(as_text=True)
    assert db.session.scalar(db.select(func.count()).select_from(SurveyParticipation)) == 1


def test_contacts_only_go_to_a_funder_survey(app, world):
    campaign = world.named_campaign()
    answer = client_of(app, world.trainer).post(
        f"/manage/surveys/campaigns/{campaign.id}/contacts",
        data={"name": "A", "organisation": "OPCO", "email": "a@example.org"},
    )
    assert answer.status_code == 404


def test_a_mail_failure_changes_nothing(app, world, monkeypatch):
    from lms.core.mail import MailError
    from lms.quality.surveys import mail

    def refuse(*args, **kwargs):
        raise MailError("refused")

    monkeypatch.setattr(mail, "send_mail", refuse)
    campaign = world.campaign(world.funder)
    answer = client_of(app, world.trainer).post(
        f"/manage/surveys/campaigns/{campaign.id}/contacts",
        data={"name": "A", "organisation": "OPCO", "email": "a@example.org"},
    )
    assert answer.status_code == 422
    assert "could not be sent" in answer.get_data(as_text=True)
    assert db.session.scalar(db.select(func.count()).select_from(SurveyParticipation)) == 0


def test_resending_gives_a_new_link(app, world, smtp_server):
    from tests.quality.surveys.support import contact_link

    participation, old = contact_link(world)
    client = client_of(app, world.trainer)
    answer = client.post(f"/manage/surveys/contacts/{participation.id}/resend")
    assert answer.headers["Location"].endswith(
        f"/manage/surveys/campaigns/{participation.campaign_id}"
    )
    assert len(smtp_server) == 1
    assert app.test_client().get(f"/surveys/link/{old}").status_code == 404
    learner = client_of(app, world.learners[0])
    assert learner.post(f"/manage/surveys/contacts/{participation.id}/resend").status_code == 403


def test_resending_to_a_contact_who_answered_sends_nothing(app, world, smtp_server):
    from tests.quality.surveys.support import contact_link

    participation, token = contact_link(world)
    app.test_client().post(f"/surveys/link/{token}", data=answers())
    client = client_of(app, world.trainer)
    client.post(f"/manage/surveys/contacts/{participation.id}/resend")
    assert smtp_server == []


def test_resending_for_a_closed_survey_is_refused(app, world, smtp_server):
    from tests.quality.surveys.support import contact_link

    participation, _token = contact_link(world)
    participation.campaign.opens_at = utcnow() - timedelta(days=30)
    participation.campaign.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    client_of(app, world.trainer).post(f"/manage/surveys/contacts/{participation.id}/resend")
    assert smtp_server == []


def test_a_learner_participation_is_not_a_contact(app, world):
    campaign = world.named_campaign()
    participation = db.session.scalar(
        db.select(SurveyParticipation).filter_by(campaign_id=campaign.id)
    )
    answer = client_of(app, world.trainer).post(
        f"/manage/surveys/contacts/{participation.id}/resend"
    )
    assert answer.status_code == 404


def test_the_named_csv_names_the_funder(app, world):
    from tests.quality.surveys.support import contact_link

    _participation, token = contact_link(world)
    app.test_client().post(f"/surveys/link/{token}", data=answers(avis="=HYPERLINK(1)"))
    campaign_id = world.funder_campaign.id
    export = client_of(app, world.trainer).get(
        f"/manage/surveys/campaigns/{campaign_id}/export.csv"
    )
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][:3] == ["Fanny Financeur", "OPCO Sud", "financeur@example.org"]
    assert "'=HYPERLINK(1)" in rows[1]  # formula-safe


def _page_queries(app, world, learners: int, query_counter, url_of):
    from tests.factories import MembershipFactory as Member

    for number in range(learners):
        Member(user=UserFactory(display_name=f"Learner {number:03d}"), cohort=world.cohort)
    db.session.commit()
    campaigns = [world.named_campaign(), world.anonymous_campaign()]
    for campaign in campaigns:
        for participation in campaign.participations:
            if participation.learner_id is not None:
                from lms.quality.surveys.answering import record_response

                record_response(
                    participation,
                    {"objectifs": "2", "rythme": "Adapté", "avis": f"Avis {participation.id}"},
                )
    db.session.commit()
    client = client_of(app, world.trainer)
    counts = []
    for url in url_of(world, campaigns):
        with query_counter as counted:
            assert client.get(url).status_code == 200
        counts.append(counted.count)
    return counts


PAGES = [
    pytest.param(lambda w, c: [f"/manage/cohorts/{w.cohort.id}/surveys"], id="cohort"),
    pytest.param(
        lambda w, c: [f"/manage/surveys/campaigns/{campaign.id}" for campaign in c], id="campaign"
    ),
    pytest.param(
        lambda w, c: [f"/manage/surveys/campaigns/{campaign.id}/export.csv" for campaign in c],
        id="csv",
    ),
]


@pytest.mark.parametrize("url_of", PAGES)
def test_the_staff_pages_cost_the_same_queries_for_few_and_many_learners(
    app, url_of, query_counter
):
    from tests.quality.surveys.support import SurveyWorld

    few = _page_queries(app, SurveyWorld(), 2, query_counter, url_of)
    many = _page_queries(app, SurveyWorld(), 40, query_counter, url_of)
    assert few == many
    print(f"\nsurvey staff pages: {few} queries for 5 and for 43 learners")
