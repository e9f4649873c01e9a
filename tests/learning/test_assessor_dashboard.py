"""An external assessor's home: the cohorts they assess and until when, or that it ended."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.core.time import local_today
from tests.factories import CohortFactory, MembershipFactory, UserFactory
from tests.web.helpers import log_in, text


@pytest.fixture
def assessor():
    """A person who only assesses: one cohort still, another whose access ended yesterday."""
    user = UserFactory()
    today = local_today()
    MembershipFactory(
        user=user,
        cohort=CohortFactory(name="Promo Printemps"),
        assessor=True,
        access_ends_on=today,
    )
    MembershipFactory(
        user=user,
        cohort=CohortFactory(name="Promo Hiver"),
        assessor=True,
        access_ends_on=today - timedelta(days=1),
    )
    return user


def dashboard(client, user) -> str:
    """Log ``user`` in and return their dashboard."""
    log_in(client, user)
    response = client.get("/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_assessor_sees_what_they_assess_and_what_ended(client, assessor):
    html = dashboard(client, assessor)
    assert text("You assess work in:") in html
    assert "Promo Printemps" in html
    assert (
        text(
            "Your access as external assessor of %(cohort)s ended on %(date)s.",
            cohort="Promo Hiver",
            date=(local_today() - timedelta(days=1)).strftime("%B %-d, %Y"),
        )
        in html
    )
    # Neither learner nor trainer content, nor their navigation.
    assert text("My path") not in html
    assert text("You are not enrolled in a cohort yet.") not in html
    assert text("My cohorts") not in html
    assert text("External assessment") in html


def test_an_assessor_whose_accesses_all_ended_sees_that_only(client):
    user = UserFactory()
    MembershipFactory(
        user=user,
        cohort=CohortFactory(name="Promo Hiver"),
        assessor=True,
        access_ends_on=local_today() - timedelta(days=1),
    )
    html = dashboard(client, user)
    assert "Promo Hiver" in html
    assert text("You assess work in:") not in html
    assert 'class="access-ended"' in html


def test_the_home_page_leads_an_assessor_to_their_page(client, assessor):
    log_in(client, assessor)
    assert client.get("/").headers["Location"] == "/dashboard"


def test_the_marking_queue_is_linked_only_when_it_exists(client, assessor, app, monkeypatch):
    html = dashboard(client, assessor)
    assert '<a class="button button--primary" href="/marking">' in html  # lms.assessments.marking
    assert text("Work to mark") in html
    monkeypatch.delitem(app.view_functions, "marking.queue")
    html = client.get("/dashboard").get_data(as_text=True)
    assert text("Work to mark") not in html


def test_an_assessor_who_also_learns_keeps_their_learner_dashboard(client, assessor):
    MembershipFactory(user=assessor)
    html = dashboard(client, assessor)
    assert text("You assess work in:") not in html
    assert text("My path") in html
