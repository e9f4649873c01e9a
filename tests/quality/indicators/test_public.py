"""The publication (central administrators) and the public results page: under 5 people, hidden."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from lms.accounts.models import AuditEvent
from lms.extensions import db
from lms.quality.indicators.models import PublishedIndicator
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    TerritoryAdministratorFactory,
    UserFactory,
)
from tests.quality.indicators.dataset import build
from tests.web.helpers import log_in

PUBLISHED = ("entered", "dropout", "satisfaction_hot", "satisfaction_cold", "satisfaction_funder")


@pytest.fixture
def data(app):
    data = build()
    for code in PUBLISHED:
        db.session.add(PublishedIndicator(path_code="ebv", year=2025, indicator=code))
    db.session.commit()
    return data


def row_html(html: str, key: str) -> str:
    found = re.search(rf'data-row="{re.escape(key)}">(.*?)</tr>', html, re.S)
    assert found, key
    return found.group(1)


def test_the_public_page_shows_the_published_figures_without_login(client, data):
    response = client.get("/results")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-period="2025-01-01/2025-12-31"' in html
    # Published: entered (9 people), dropout (10): shown with their people.
    assert re.search(r"data-value>9<", row_html(html, "entered"))
    assert "20.0% (2 of 10)" in row_html(html, "dropout")
    # Not published: completion, success, certification, attendance.
    for key in ("completion", "success", "certification", "attendance", "hours"):
        assert f'data-row="{key}"' not in html
    assert "<title" in html
    assert 'role="img"' in html


def test_a_figure_on_fewer_than_5_people_is_hidden_everywhere(client, data):
    html = client.get("/results?path=ebv&year=2025").get_data(as_text=True)
    # fin-parcours: 5 answers → shown (19 / 5 = 3.80); fin-module: 4 answers → hidden (4.00).
    assert "3.80 / 5" in row_html(html, "satisfaction_hot:fin-parcours:global")
    hidden = row_html(html, "satisfaction_hot:fin-module:global")
    assert "fewer than 5 people: not published" in hidden
    assert "4.00" not in hidden
    assert "data-people" not in hidden
    # « À froid »: 5 asked → rate shown (40.0 %); its question, 2 answers → hidden (3.50).
    assert "40.0%" in row_html(html, "satisfaction_cold:response")
    assert "not published" in row_html(html, "satisfaction_cold:a-froid:global")
    assert "3.50" not in html
    # Funders: 2 asked → hidden (50.0 %), also in the chart's bars and description.
    assert "not published" in row_html(html, "satisfaction_funder:response")
    assert "50.0%" not in html

    rows = csv.DictReader(
        io.StringIO(client.get("/results.csv?path=ebv&year=2025").get_data().decode("utf-8-sig"))
    )
    by_key = {row["key"]: row for row in rows}
    assert by_key["satisfaction_hot:fin-parcours:global"]["value"] == "3.8"
    assert by_key["satisfaction_hot:fin-parcours:global"]["people"] == "5"
    module = by_key["satisfaction_hot:fin-module:global"]
    assert (module["value"], module["people"], module["hidden"]) == ("", "", "yes")
    funder = by_key["satisfaction_funder:response"]
    assert (funder["numerator"], funder["denominator"], funder["value"]) == ("", "", "")

    document = client.get("/results.json?path=ebv&year=2025").get_json()
    figures = {figure["key"]: figure for figure in document["figures"]}
    assert figures["entered"]["value"] == 9
    assert figures["satisfaction_hot:fin-parcours:global"]["people"] == 5
    hidden_json = figures["satisfaction_hot:fin-module:global"]
    assert hidden_json["hidden"] is True
    assert not {"value", "numerator", "denominator", "people"} & set(hidden_json)


def test_an_unknown_publication_is_not_found(client, data):
    assert client.get("/results?path=ebv&year=2024").status_code == 404
    assert client.get("/results?path=atlantide&year=2025").status_code == 404
    assert client.get("/results?path=ebv&year=deux").status_code == 404
    assert client.get("/results.csv?path=ebv&year=2024").status_code == 404


def test_nothing_published_says_so(client, app):
    html = client.get("/results").get_data(as_text=True)
    assert "No result is published yet." in html
    assert client.get("/results.json").status_code == 404


def test_the_footer_links_the_results_page(client, app):
    assert 'href="/results"' in client.get("/login").get_data(as_text=True)


def test_a_central_administrator_chooses_the_publication(client, data):
    admin = UserFactory(admin=True)
    log_in(client, admin)
    page = client.get("/admin/quality/indicators/publication?path=ebv&year=2025")
    assert page.status_code == 200
    assert re.search(r'<input[^>]*checked[^>]*value="dropout"', page.get_data(as_text=True))
    data_ = {"path": "ebv", "year": "2025", "indicators": ["entered", "success"]}
    response = client.post("/admin/quality/indicators/publication", data=data_)
    assert response.headers["Location"].endswith(
        "/admin/quality/indicators/publication?path=ebv&year=2025"
    )
    codes = set(db.session.scalars(db.select(PublishedIndicator.indicator).filter_by(year=2025)))
    assert codes == {"entered", "success"}
    event = db.session.scalars(db.select(AuditEvent).filter_by(action="indicators.publish")).one()
    assert event.after["indicators"] == ["entered", "success"]
    assert event.actor_id == admin.id


def test_an_unknown_indicator_or_year_is_refused_beside_the_field(client, data):
    log_in(client, UserFactory(admin=True))
    url = "/admin/quality/indicators/publication"
    response = client.post(url, data={"path": "ebv", "year": "2025", "indicators": ["ranking"]})
    assert response.status_code == 400
    assert "not a valid choice" in response.get_data(as_text=True).lower()
    response = client.post(url, data={"path": "ebv", "year": "1850"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(PublishedIndicator.id))) == len(PUBLISHED)


def test_a_local_administrator_may_not_publish(client, data):
    user = TerritoryAdministratorFactory(territory=data.lille_territory).user
    log_in(client, user)
    assert client.get("/admin/quality/indicators/publication").status_code == 403


def test_the_public_page_costs_the_same_queries_for_few_or_many_cohorts(
    client, data, query_counter
):
    def count() -> int:
        db.session.expire_all()
        with query_counter as queries:
            assert client.get("/results").status_code == 200
        return queries.count

    small = count()
    for _ in range(5):
        cohort = CohortFactory(
            path=data.path, starts_on=date(2025, 2, 1), ends_on=date(2025, 11, 30)
        )
        for _ in range(4):
            MembershipFactory(cohort=cohort)
    db.session.commit()
    large = count()
    print(f"public results page: {small} queries, then {large}")
    assert small == large <= 15
