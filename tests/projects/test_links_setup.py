"""The set-up page of the later ex post evaluation: who may, the date's rules, send now or plan."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.accounts.models import AuditEvent
from lms.core.time import local_today
from lms.extensions import db
from lms.projects.invitations_setup import add_months
from lms.projects.models import Project, ProjectInvitation
from tests.factories import (
    MembershipFactory,
    TerritoryAdministratorFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.projects.links_support import make_evaluated_project, make_link
from tests.web.helpers import log_in


def url(project) -> str:
    return f"/projects/{project.id}/later-evaluation"


def form(days: int, *, send_now: bool = False, email: str = "holder@example.org") -> dict:
    data = {
        "later_on": (local_today() + timedelta(days=days)).isoformat(),
        "name": "Hélène Holder",
        "email": email,
    }
    data["send_now" if send_now else "save"] = "y"
    return data


def links(project) -> list[ProjectInvitation]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(ProjectInvitation).filter_by(project_id=project.id).order_by("id")
        )
    )


@pytest.fixture
def evaluated():
    return make_evaluated_project(ex_post_days_ago=30)


def test_add_months_keeps_the_day_or_takes_the_last_of_the_month():
    from datetime import date

    assert add_months(date(2026, 1, 15), 6) == date(2026, 7, 15)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_the_page_proposes_the_ex_post_date_plus_the_grids_months(client, evaluated):
    log_in(client, evaluated.project.learner)
    response = client.get(url(evaluated.project))
    assert response.status_code == 200
    expected = add_months(local_today() - timedelta(days=30), 6)
    assert f'value="{expected.isoformat()}"' in response.get_data(as_text=True)


def test_the_learner_plans_the_link_for_the_date(client, evaluated, smtp_server):
    log_in(client, evaluated.project.learner)
    response = client.post(url(evaluated.project), data=form(150))
    assert response.headers["Location"].endswith(url(evaluated.project))
    [link] = links(evaluated.project)
    assert (link.email, link.name, link.sent_at) == ("holder@example.org", "Hélène Holder", None)
    assert db.session.get(
        Project, evaluated.project.id
    ).later_ex_post_on == local_today() + timedelta(days=150)
    assert smtp_server == []
    page = client.get(url(evaluated.project)).get_data(as_text=True)
    assert "Will be sent to Hélène Holder (holder@example.org) on that date." in page
    # Saving again for the same person keeps the planned link; only the date moves.
    client.post(url(evaluated.project), data=form(160))
    assert [item.id for item in links(evaluated.project)] == [link.id]


def test_send_now_mails_the_link_and_resending_withdraws_the_first(client, evaluated, smtp_server):
    log_in(client, evaluated.trainer)
    client.post(url(evaluated.project), data=form(150, send_now=True))
    [first] = links(evaluated.project)
    assert first.sent_at is not None
    assert first.revoked_at is None
    assert [m["To"] for m in smtp_server] == ["holder@example.org"]
    page = client.get(url(evaluated.project)).get_data(as_text=True)
    assert "Sent to Hélène Holder (holder@example.org) on" in page
    client.post(url(evaluated.project), data=form(150, send_now=True, email="partner@example.org"))
    first, second = links(evaluated.project)
    assert first.revoked_at is not None
    assert second.sent_at is not None
    assert [m["To"] for m in smtp_server] == ["holder@example.org", "partner@example.org"]
    actions = list(db.session.scalars(db.select(AuditEvent.action)))
    assert actions.count("project.invitation_send") == 2
    assert "project.later_date" in actions


def test_a_mail_refused_by_the_server_changes_nothing(app, client, evaluated, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)
    log_in(client, evaluated.project.learner)
    response = client.post(url(evaluated.project), data=form(150, send_now=True))
    assert response.status_code == 200
    assert "could not be sent" in response.get_data(as_text=True)
    assert links(evaluated.project) == []
    assert db.session.get(Project, evaluated.project.id).later_ex_post_on is None


@pytest.mark.parametrize("days", [-30, -31, -400])
def test_a_date_not_after_the_ex_post_evaluation_is_refused(client, evaluated, days):
    log_in(client, evaluated.project.learner)
    response = client.post(url(evaluated.project), data=form(days))
    assert response.status_code == 200
    assert "comes after the ex post evaluation" in response.get_data(as_text=True)
    assert links(evaluated.project) == []


def test_missing_or_bad_fields_are_refused(client, evaluated):
    log_in(client, evaluated.project.learner)
    data = form(150)
    data.update(email="not-an-address", name="", later_on="31/02/2027")
    response = client.post(url(evaluated.project), data=data)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('aria-invalid="true"') == 3
    assert links(evaluated.project) == []


def test_before_the_ex_post_evaluation_nothing_can_be_set(client):
    evaluated = make_evaluated_project(ex_post=False)
    log_in(client, evaluated.project.learner)
    page = client.get(url(evaluated.project)).get_data(as_text=True)
    assert "once the ex post evaluation" in page
    assert 'name="later_on"' not in page
    response = client.post(url(evaluated.project), data=form(150))
    assert "once the ex post evaluation is recorded" in response.get_data(as_text=True)
    assert links(evaluated.project) == []


def test_after_the_later_evaluation_nothing_changes(client, evaluated):
    _invitation, token = make_link(evaluated.project)
    from tests.projects.links_support import link_form

    client.post(f"/projects/evaluate/{token}", data=link_form(evaluated.grid))
    log_in(client, evaluated.project.learner)
    page = client.get(url(evaluated.project)).get_data(as_text=True)
    assert "Recorded" in page
    assert 'name="later_on"' not in page
    response = client.post(url(evaluated.project), data=form(150, send_now=True))
    assert "already recorded" in response.get_data(as_text=True)
    assert len(links(evaluated.project)) == 1


def test_a_local_administrator_of_the_territory_may_set_it_up(client, evaluated):
    admin = TerritoryAdministratorFactory(territory=evaluated.project.territory).user
    db.session.commit()
    log_in(client, admin)
    assert client.get(url(evaluated.project)).status_code == 200


def test_others_are_refused(client, evaluated):
    assert client.get(url(evaluated.project)).headers["Location"].startswith("/login")
    other_learner = UserFactory()
    MembershipFactory(user=other_learner, cohort=evaluated.project.cohort)
    db.session.commit()
    log_in(client, other_learner)
    assert client.get(url(evaluated.project)).status_code == 403
    assert client.post(url(evaluated.project), data=form(150)).status_code == 403
    assert links(evaluated.project) == []


def test_a_local_administrator_of_another_territory_gets_a_404(client, evaluated):
    stranger = TerritoryAdministratorFactory(territory=TerritoryFactory()).user
    db.session.commit()
    log_in(client, stranger)
    assert client.get(url(evaluated.project)).status_code == 404
    assert client.get("/projects/999999/later-evaluation").status_code == 404


def test_the_partial_shows_the_status_on_any_page(app, evaluated):
    from flask import render_template_string

    make_link(evaluated.project)
    with app.test_request_context():
        html = render_template_string(
            '{% include "projects/invitations/_later_evaluation.html" %}',
            project=evaluated.project,
            can_invite=True,
        )
    assert "Sent to Hélène Holder (holder@example.org)" in html
    assert f"/projects/{evaluated.project.id}/later-evaluation" in html
    with app.test_request_context():
        html = render_template_string(
            '{% include "projects/invitations/_later_evaluation.html" %}',
            project=evaluated.project,
            can_invite=False,
        )
    assert f"/projects/{evaluated.project.id}/later-evaluation" not in html


@pytest.mark.parametrize("who", ["learner", "trainer"])
def test_the_project_page_leads_those_who_may_to_the_set_up(client, evaluated, who):
    person = evaluated.project.learner if who == "learner" else evaluated.trainer
    log_in(client, person)
    html = client.get(f"/projects/{evaluated.project.id}").get_data(as_text=True)
    assert f'href="{url(evaluated.project)}"' in html


def test_the_project_page_leads_the_territorys_local_administrator_to_the_set_up(client, evaluated):
    local = TerritoryAdministratorFactory(territory=evaluated.project.territory).user
    log_in(client, local)
    html = client.get(f"/projects/{evaluated.project.id}").get_data(as_text=True)
    assert f'href="{url(evaluated.project)}"' in html
