"""A jury member's way in: the dashboard sends a person with no cohort role to their juries,
the navigation links them, a trainer finds them on « Mes promotions », and learners' and trainers'
other pages pay no query for it."""

from __future__ import annotations

from datetime import timedelta

from lms.core.time import local_today
from lms.extensions import db
from tests.certificates.jury.support import jury_world, seat
from tests.factories import UserFactory
from tests.web.helpers import log_in, text

MY_JURIES = "/jury/"
MY_COHORTS = "/manage/cohorts/"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_member_without_cohort_role_is_sent_to_their_juries(client):
    world = jury_world()
    log_in(client, world.members["professionnel"].user)

    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"] == MY_JURIES
    assert client.get("/").headers["Location"] == "/dashboard"

    html = page(client, MY_JURIES)
    assert f'<li><a href="{MY_JURIES}" aria-current="page">' in html
    assert text("My juries") in html
    assert text("My path") not in html  # no learner's sections for a jury member


def test_a_member_whose_access_ended_gets_the_plain_dashboard(client):
    world = jury_world(composed=False)
    member = seat(world, "professionnel", UserFactory(), ends=local_today() - timedelta(days=1))
    log_in(client, member.user)

    html = page(client, "/dashboard")
    assert text("You are not enrolled in a cohort yet.") in html
    assert MY_JURIES not in html


def test_an_assessor_on_a_jury_keeps_their_home_and_gets_the_link(client):
    from tests.factories import CohortFactory, MembershipFactory

    world = jury_world()
    user = world.members["financeur"].user
    MembershipFactory(
        user=user, cohort=CohortFactory(), assessor=True, access_ends_on=local_today()
    )
    log_in(client, user)

    html = page(client, "/dashboard")
    assert text("External assessment") in html
    assert f'href="{MY_JURIES}"' in html


def test_a_trainer_on_a_jury_finds_it_on_their_cohorts_page(client):
    world = jury_world()
    log_in(client, world.members["formateur"].user)  # a trainer who sits on a jury

    html = page(client, MY_COHORTS)
    assert text("Your other duties") in html
    assert f'<li><a href="{MY_JURIES}">{text("My juries")}</a></li>' in html
    assert page(client, MY_JURIES)


def test_a_trainer_on_no_jury_has_no_other_duties(client):
    from tests.factories import MembershipFactory

    world = jury_world()
    trainer = MembershipFactory(cohort=world.cohort, user=UserFactory(), trainer=True).user
    log_in(client, trainer)

    assert MY_JURIES not in page(client, MY_COHORTS)


def test_learners_and_trainers_pay_no_query_for_it(app, query_counter):
    world = jury_world()
    learner, trainer = world.candidates[0], world.members["formateur"].user  # a trainer on a jury
    for user, url in ((learner, "/dashboard"), (trainer, "/manage/grading")):
        client = app.test_client()
        log_in(client, user)
        db.session.expire_all()
        with query_counter as queries:
            page(client, url)
        assert not [s for s in queries.statements if "jury_members" in s], url
        print(f"{url}: {queries.count} queries")
