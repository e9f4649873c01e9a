"""Naming and removing local administrators, and a local administrator's home."""

from __future__ import annotations

import re

from lms.accounts.models import AuditEvent
from lms.extensions import db
from lms.organisations.models import TerritoryAdministrator
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    ProjectFactory,
    TerritoryAdministratorFactory,
    UserFactory,
)
from tests.web.helpers import log_in, text


def named(territory) -> list[str]:
    """Return the e-mail addresses of the territory's local administrators."""
    query = db.select(TerritoryAdministrator).filter_by(territory_id=territory.id)
    return sorted(named.user.email for named in db.session.scalars(query))


def actions() -> list[str]:
    """Return the audited actions about territories, oldest first."""
    query = db.select(AuditEvent.action).filter_by(object_type="Territory")
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def add(client, territory, email: str):
    """Post the naming form of a territory's page."""
    return client.post(f"/admin/territories/{territory.id}/administrators", data={"email": email})


def test_a_central_administrator_names_a_local_one_by_email(client, admin, lille):
    user = UserFactory(email="lea.local@example.org")
    response = add(client, lille, " LEA.local@example.org ")
    assert response.headers["Location"].endswith(f"/admin/territories/{lille.id}")
    assert named(lille) == [user.email]
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="territory.admin.add"))
    assert event.actor_id == admin.id
    assert event.after["user_id"] == user.id
    row = db.session.scalar(db.select(TerritoryAdministrator).filter_by(user_id=user.id))
    assert row.named_by_id == admin.id


def test_a_user_may_administer_several_territories(client, admin, lille, grenoble, local_admin):
    assert add(client, grenoble, local_admin.email).status_code in (302, 303)
    assert named(lille) == named(grenoble) == [local_admin.email]


def test_each_refusal_says_why_and_names_no_one(client, admin, lille, local_admin):
    central = UserFactory(admin=True)
    inactive = UserFactory(inactive=True)
    refusals = {
        "nobody@example.org": text(
            "No account uses this e-mail address: create the account first."
        ),
        central.email: text(
            "%(name)s is a central administrator and already manages every territory.",
            name=central.display_name,
        ),
        inactive.email: text("%(name)s's account is deactivated.", name=inactive.display_name),
        local_admin.email: text(
            "%(name)s already administers “%(territory)s”.",
            name=local_admin.display_name,
            territory=lille.name,
        ),
        "not an address": None,
    }
    for email, message in refusals.items():
        response = add(client, lille, email)
        assert response.status_code == 422, email
        html = response.get_data(as_text=True)
        assert 'id="email-errors"' in html, email
        if message:
            assert message in html, email
    assert named(lille) == [local_admin.email]
    assert actions() == []


def test_a_local_administrator_is_removed_audited(client, admin, lille, local_admin):
    (row,) = db.session.scalars(db.select(TerritoryAdministrator))
    url = f"/admin/territories/{lille.id}/administrators/{row.id}/remove"
    assert client.post(url).headers["Location"].endswith(f"/admin/territories/{lille.id}")
    assert named(lille) == []
    assert actions() == ["territory.admin.remove"]


def test_removing_through_another_territory_is_not_found(
    client, admin, lille, grenoble, local_admin
):
    (row,) = db.session.scalars(db.select(TerritoryAdministrator))
    url = f"/admin/territories/{grenoble.id}/administrators/{row.id}/remove"
    assert client.post(url).status_code == 404
    assert named(lille) == [local_admin.email]


def test_the_home_lists_their_territories_and_cohorts_only(client, lille, grenoble, local_admin):
    CohortFactory(territory=lille, name="Promotion Fives")
    CohortFactory(territory=grenoble, name="Promotion Villeneuve")
    log_in(client, local_admin)
    html = client.get("/my-territories").get_data(as_text=True)
    assert 'data-territory="lille"' in html
    assert "Promotion Fives" in html
    assert "Grenoble" not in html
    assert "Promotion Villeneuve" not in html
    cohort_link = re.search(r'href="(/admin/cohorts/\d+/edit)">Promotion Fives', html)
    assert cohort_link


def test_a_central_administrator_sees_every_territory_at_home(client, admin, lille, grenoble):
    html = client.get("/my-territories").get_data(as_text=True)
    assert 'data-territory="lille"' in html
    assert 'data-territory="grenoble"' in html


def test_the_home_is_refused_to_people_who_administer_nothing(client, lille):
    assert client.get("/my-territories").headers["Location"].startswith("/login")
    trainer = MembershipFactory(cohort=CohortFactory(territory=lille), trainer=True).user
    log_in(client, trainer)
    assert client.get("/my-territories").status_code == 403


def test_a_local_administrator_lands_on_their_territories(client, local_admin):
    log_in(client, local_admin)
    assert client.get("/").headers["Location"].endswith("/my-territories")
    assert client.get("/dashboard").headers["Location"].endswith("/my-territories")
    html = client.get("/my-territories").get_data(as_text=True)
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    assert 'href="/my-territories" aria-current="page"' in nav
    assert "/dashboard" not in nav  # no path of their own to show


def test_a_local_administrator_who_learns_keeps_their_path_in_the_menu(client, local_admin):
    MembershipFactory(user=local_admin)
    log_in(client, local_admin)
    html = client.get("/dashboard").get_data(as_text=True)
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    assert 'href="/my-territories"' in nav
    assert 'href="/dashboard"' in nav


def test_central_administrators_find_the_territories_in_the_administration(client, admin):
    html = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/territories"' in html
    assert 'href="/my-territories"' not in html


def test_other_people_see_no_territory_entry(client, lille):
    learner = MembershipFactory(cohort=CohortFactory(territory=lille)).user
    TerritoryAdministratorFactory(territory=lille)  # someone else
    log_in(client, learner)
    assert "/my-territories" not in client.get("/dashboard").get_data(as_text=True)


def test_the_home_lists_the_projects_carried_out_on_their_territories(
    client, lille, grenoble, local_admin
):
    here = ProjectFactory(cohort=CohortFactory(territory=lille), title="Jardin des Moulins")
    # Carried out in Lille by a learner of a Grenoble cohort: it is Lille's project.
    moved = ProjectFactory(
        cohort=CohortFactory(territory=grenoble), territory=lille, title="Tiers-lieu de Fives"
    )
    ProjectFactory(cohort=CohortFactory(territory=grenoble), title="Ressourcerie de l'Abbaye")
    log_in(client, local_admin)
    html = client.get("/my-territories").get_data(as_text=True)
    listed = re.search(r"<ul class=\"plain-list\" data-projects>(.*?)</ul>", html, re.S).group(1)
    assert f'href="/projects/{here.id}">Jardin des Moulins' in listed
    assert f'href="/projects/{moved.id}">Tiers-lieu de Fives' in listed
    assert "Ressourcerie" not in html
