"""The home page redirects by role, and the learner dashboard shows the path's modules."""

from __future__ import annotations

import re

import pytest

from lms.cohorts.models import CohortState
from lms.extensions import db
from tests.factories import CohortFactory, MembershipFactory, UserFactory
from tests.learning.helpers import ALL_MODULES, make_bien_vivre_path
from tests.web.helpers import log_in, text


def module_statuses(html: str) -> list[tuple[str, str]]:
    """Return (code, status) of every module card, in page order."""
    return re.findall(r'data-module="(M\d)" data-status="(\w+)"', html)


def module_card(html: str, code: str) -> str:
    """Return the HTML of one module's card."""
    cards = html.split('<li class="module ')[1:]
    [card] = [card for card in cards if f'data-module="{code}"' in card]
    return card


def test_anonymous_home_redirects_to_login(client):
    assert client.get("/").headers["Location"] == "/login"


def test_learner_home_redirects_to_the_dashboard(client):
    learner = make_bien_vivre_path().enrol_learner()
    log_in(client, learner)
    assert client.get("/").headers["Location"] == "/dashboard"


def test_user_without_any_role_lands_on_the_dashboard(client):
    log_in(client, UserFactory())
    assert client.get("/").headers["Location"] == "/dashboard"


def test_trainer_home_redirects_to_their_cohorts(client):
    membership = MembershipFactory(trainer=True)
    log_in(client, membership.user)
    assert client.get("/").headers["Location"] == "/manage/cohorts/"


@pytest.mark.parametrize("also", ["trainer", "learner"])
def test_administrator_home_wins_over_other_roles(client, also):
    admin = UserFactory(admin=True)
    MembershipFactory(user=admin, trainer=also == "trainer")
    log_in(client, admin)
    assert client.get("/").headers["Location"] == "/admin/"


def test_dashboard_requires_login(client):
    assert client.get("/dashboard").headers["Location"] == "/login?next=%2Fdashboard"


def test_dashboard_shows_the_cohort_and_its_dates(client):
    bien_vivre = make_bien_vivre_path()
    learner = bien_vivre.enrol_learner(completed=("M1",))
    log_in(client, learner)
    html = client.get("/dashboard").get_data(as_text=True)
    cohort = bien_vivre.cohort
    assert text(cohort.name) in html
    assert text(cohort.path.title) in html
    assert str(cohort.starts_on.year) in html
    assert text("%(done)d of %(total)d modules completed", done=1, total=8) in html
    assert text("%(done)d of %(total)d required lessons done", done=1, total=8) in html


def test_dashboard_lists_the_eight_modules_in_chronological_order_with_their_states(client):
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2", "M3"), future=("M4",))
    learner = bien_vivre.enrol_learner(completed=("M1",))
    log_in(client, learner)
    html = client.get("/dashboard").get_data(as_text=True)
    assert module_statuses(html) == [
        ("M1", "completed"),
        ("M2", "open"),
        ("M3", "locked"),
        ("M4", "locked"),
        ("M5", "locked"),
        ("M6", "locked"),
        ("M7", "locked"),
        ("M8", "locked"),
    ]
    for code in ALL_MODULES:
        card = module_card(html, code)
        module = bien_vivre.modules[code]
        assert text(module.title) in card
        assert text("%(hours)d h", hours=module.hours) in card
        assert text("Online") in card


def test_locked_modules_say_why(client):
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2", "M3"), future=("M4",))
    learner = bien_vivre.enrol_learner(completed=("M1",))
    log_in(client, learner)
    html = client.get("/dashboard").get_data(as_text=True)
    finish = "Finish first: %(modules)s"
    assert text(finish, modules="M2") in module_card(html, "M3")
    m4 = module_card(html, "M4")
    assert text(finish, modules="M2") in m4
    opens_at = bien_vivre.cohort.calendar[-1].opens_at
    assert f'datetime="{opens_at.isoformat()}"' in m4
    assert text("Not scheduled yet for your cohort") in module_card(html, "M5")
    assert text(finish, modules="M3, M4") in module_card(html, "M5")
    for code in ("M1", "M2"):
        assert "module__reasons" not in module_card(html, code)


def test_learner_without_cohort_gets_a_friendly_message(client):
    log_in(client, UserFactory())
    response = client.get("/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert text("You are not enrolled in a cohort yet.") in html
    assert "data-module" not in html


def test_learner_of_an_archived_cohort_sees_no_modules(client):
    bien_vivre = make_bien_vivre_path()
    learner = bien_vivre.enrol_learner()
    bien_vivre.cohort.state = CohortState.ARCHIVED
    db.session.commit()
    log_in(client, learner)
    assert text("You are not enrolled in a cohort yet.") in client.get("/dashboard").get_data(
        as_text=True
    )


def test_dashboard_escapes_the_cohort_name(client):
    cohort = CohortFactory(name="<script>alert(1)</script>")
    learner = make_bien_vivre_path(cohort=cohort).enrol_learner()
    log_in(client, learner)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
