"""The territory filter of the administration lists (``?territory=<code>``)."""

from __future__ import annotations

import re

import pytest
from flask_login import login_user
from werkzeug.exceptions import NotFound

from lms.extensions import db
from lms.organisations.filters import territory_filter
from tests.factories import CertificateFactory, CohortFactory, MembershipFactory


@pytest.fixture
def cohorts(lille, grenoble):
    """Return a cohort on each territory, each with a learner."""
    fives = CohortFactory(territory=lille, name="Promotion Fives")
    villeneuve = CohortFactory(territory=grenoble, name="Promotion Villeneuve", state="draft")
    for cohort in (fives, villeneuve):
        MembershipFactory(cohort=cohort)
    return fives, villeneuve


def listed_cohorts(client, query: str = "") -> list[str]:
    """Return the names of the cohorts the cohort list shows."""
    html = client.get(f"/admin/cohorts/{query}").get_data(as_text=True)
    return re.findall(r'/admin/cohorts/\d+/edit">([^<]+)</a>', html)


def test_the_cohorts_list_keeps_one_territory(client, admin, cohorts):
    assert sorted(listed_cohorts(client)) == ["Promotion Fives", "Promotion Villeneuve"]
    assert listed_cohorts(client, "?territory=lille") == ["Promotion Fives"]
    html = client.get("/admin/cohorts/?territory=grenoble").get_data(as_text=True)
    assert '<option value="grenoble" selected>' in html
    assert 'data-territory="grenoble">Grenoble</td>' in html


def test_the_territory_filter_keeps_the_other_filters(client, admin, cohorts):
    assert listed_cohorts(client, "?territory=grenoble&state=draft") == ["Promotion Villeneuve"]
    assert listed_cohorts(client, "?territory=lille&state=draft") == []
    html = client.get("/admin/cohorts/?territory=lille&state=draft").get_data(as_text=True)
    assert '<option value="draft" selected>' in html
    assert '<option value="lille" selected>' in html


def test_an_unknown_territory_is_not_found(client, admin, cohorts):
    for url in ("/admin/cohorts/", "/admin/certificates", "/admin/users"):
        assert client.get(f"{url}?territory=atlantide").status_code == 404, url
    assert client.get("/admin/cohorts/?territory=").status_code == 200


def test_the_cohorts_list_costs_the_same_queries_with_the_filter(
    client, admin, cohorts, query_counter
):
    def count(query: str) -> int:
        db.session.expire_all()
        with query_counter as queries:
            assert client.get(f"/admin/cohorts/{query}").status_code == 200
        return queries.count

    assert count("") == count("?territory=lille") == count("?territory=grenoble&state=draft")


def test_the_certificates_list_keeps_one_territory(client, admin, cohorts):
    fives, villeneuve = cohorts
    CertificateFactory(cohort=fives, number="EBV-2026-LILLE001")
    CertificateFactory(cohort=villeneuve, number="EBV-2026-GRENO001")
    html = client.get("/admin/certificates?territory=lille&state=valid").get_data(as_text=True)
    assert "EBV-2026-LILLE001" in html
    assert "EBV-2026-GRENO001" not in html
    assert '<option value="lille" selected>' in html


def test_the_users_list_keeps_the_people_of_a_territorys_cohorts(client, admin, cohorts):
    fives, villeneuve = cohorts
    both = MembershipFactory(cohort=fives, trainer=True).user
    MembershipFactory(cohort=villeneuve, user=both)
    html = client.get("/admin/users?territory=grenoble").get_data(as_text=True)
    grenoble_learner = villeneuve.memberships[0].user
    lille_learner = fives.memberships[0].user
    assert grenoble_learner.email in html
    assert both.email in html
    assert lille_learner.email not in html
    assert admin.email not in html


def test_the_page_links_keep_the_territory(client, admin, cohorts):
    from lms.accounts.models import User

    db.session.add_all(
        User(email=f"page{number}@example.org", display_name=f"Page {number}")
        for number in range(60)
    )
    db.session.add_all(
        MembershipFactory.build(cohort=cohorts[0], user=user)
        for user in db.session.scalars(db.select(User).filter(User.email.like("page%")))
    )
    db.session.commit()
    html = client.get("/admin/users?territory=lille").get_data(as_text=True)
    assert re.search(r'href="[^"]*page=2[^"]*"', html)
    assert all("territory=lille" in link for link in re.findall(r'href="([^"]*page=2[^"]*)"', html))


def test_a_local_administrator_is_narrowed_to_their_territories(app, lille, grenoble, local_admin):
    with app.test_request_context("/admin/cohorts/"):
        login_user(local_admin)
        mine = territory_filter()
        assert [t.code for t in mine.choices] == ["lille"]
        assert mine.territory_ids == [lille.id]
        assert mine.args == {}
    with app.test_request_context("/admin/cohorts/?territory=lille"):
        login_user(local_admin)
        assert territory_filter().args == {"territory": "lille"}
    with app.test_request_context("/admin/cohorts/?territory=grenoble"):
        login_user(local_admin)
        with pytest.raises(NotFound):  # another territory: as unknown as a made-up code
            territory_filter()


def test_a_central_administrator_is_not_narrowed(app, admin, lille, grenoble):
    with app.test_request_context("/admin/cohorts/"):
        login_user(admin)
        everything = territory_filter()
        assert [t.code for t in everything.choices] == ["grenoble", "lille"]
        assert everything.territory_ids is None
