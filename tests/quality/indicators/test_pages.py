"""The staff's indicators page and CSV: scope per person, filters, errors, query counts."""

from __future__ import annotations

import csv
import io
import re

import pytest

from lms.extensions import db
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    TerritoryAdministratorFactory,
    TrainingPathFactory,
    UserFactory,
)
from tests.quality.indicators.dataset import build
from tests.web.helpers import log_in

URL = "/admin/quality/indicators"
YEAR_2025 = "date_from=2025-01-01&date_to=2025-12-31"


@pytest.fixture
def data(app):
    return build()


@pytest.fixture
def admin(client):
    user = UserFactory(admin=True)
    log_in(client, user)
    return user


@pytest.fixture
def lille_admin(client, data):
    user = TerritoryAdministratorFactory(territory=data.lille_territory).user
    log_in(client, user)
    return user


def value(html: str, key: str) -> str:
    """Return the value cell of a row of the page's table."""
    found = re.search(
        rf'data-row="{re.escape(key)}">.*?<td class="num" data-value>([^<]*)<', html, re.S
    )
    assert found, key
    return found.group(1)


def numbers(html: str, key: str) -> tuple[str, str, str]:
    """Return the numerator, denominator and people of a row."""
    row = re.search(rf'data-row="{re.escape(key)}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num"[^>]*>([^<]*)', row)
    return cells[1].strip(), cells[2].strip(), cells[3].strip()


def test_the_central_administrator_sees_every_indicator_of_2025(client, admin, data):
    html = client.get(f"{URL}?{YEAR_2025}").get_data(as_text=True)
    assert value(html, "entered") == "9"
    assert value(html, "dropout") == "20.0%"
    assert numbers(html, "dropout") == ("2", "10", "10")
    assert numbers(html, "success") == ("4", "8", "8")
    assert value(html, "certification") == "42.9%"
    assert numbers(html, "block:BC1") == ("5", "7", "7")
    assert value(html, "attendance") == "70.5%"
    assert value(html, "hours") == "31.0 h"
    assert value(html, "satisfaction_hot:response") == "69.2%"
    assert value(html, "satisfaction_cold:a-froid:global") == "3.50 / 4"
    assert 'role="img"' in html
    assert '<title id="chart-rates-title">' in html


def test_the_page_speaks_french(client, data):
    user = UserFactory(admin=True, locale="fr")
    log_in(client, user)
    html = client.get(f"{URL}?{YEAR_2025}").get_data(as_text=True)
    assert "Indicateurs qualité" in html
    assert re.search(r"20,0\s%", value(html, "dropout"))


def test_the_default_period_is_the_last_calendar_year(client, admin, data):
    html = client.get(URL).get_data(as_text=True)
    assert re.search(r'data-period="(\d{4})-01-01/\1-12-31"', html)


def test_the_csv_holds_the_same_figures(client, admin, data):
    response = client.get(f"{URL}.csv?{YEAR_2025}")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    by_key = {row["key"]: row for row in rows}
    assert by_key["dropout"]["numerator"] == "2"
    assert by_key["dropout"]["denominator"] == "10"
    assert by_key["dropout"]["value"] == "20.0"
    assert by_key["satisfaction_hot:fin-module:global"]["value"] == "4.0"
    assert by_key["satisfaction_hot:fin-module:global"]["people"] == "4"
    assert by_key["entered"]["period_from"] == "2025-01-01"


def test_a_local_administrator_sees_their_territories_only(client, lille_admin, data):
    html = client.get(f"{URL}?{YEAR_2025}").get_data(as_text=True)
    # Lille: Lille 2025 ends in 2025 (6 learners, L6 withdrew), Grenoble does not count.
    assert numbers(html, "dropout") == ("1", "6", "6")
    assert "Grenoble 2025" not in html
    assert client.get(f"{URL}?territory=grenoble").status_code == 404
    # Another territory's cohort is refused like an unknown one, beside the field.
    response = client.get(f"{URL}?cohort={data.grenoble.id}&{YEAR_2025}")
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert client.get(f"{URL}.csv?territory=grenoble").status_code == 404


def test_the_filters_narrow_the_page(client, admin, data):
    html = client.get(f"{URL}?territory=grenoble&{YEAR_2025}").get_data(as_text=True)
    assert numbers(html, "dropout") == ("1", "4", "4")
    html = client.get(f"{URL}?cohort={data.lille.id}&path=ebv&{YEAR_2025}").get_data(as_text=True)
    assert numbers(html, "dropout") == ("1", "6", "6")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2025-13-01", "Not a valid date: enter the day, month and year."),
        (
            "date_from=2025-06-01&date_to=2025-01-01",
            "The period must end on or after its first day.",
        ),
        ("path=atlantide", "Not a valid choice."),
        ("cohort=999999", "Not a valid choice."),
    ],
)
def test_a_bad_filter_gets_its_message_and_no_figure(client, admin, data, query, message):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "data-indicators" not in html
    assert client.get(f"{URL}.csv?{query}").status_code == 400


def test_trainers_and_learners_are_refused(client, data):
    trainer = MembershipFactory(cohort=data.lille, trainer=True).user
    log_in(client, trainer)
    assert client.get(URL).status_code == 403


def _grow(count: int) -> None:
    """Add cohorts ending in 2025 with learners."""
    path = TrainingPathFactory(code="ebv-bis")
    for _index in range(count):
        cohort = CohortFactory(
            path=path,
            starts_on=__import__("datetime").date(2025, 1, 1),
            ends_on=__import__("datetime").date(2025, 12, 1),
        )
        for _ in range(3):
            MembershipFactory(cohort=cohort)
    db.session.commit()


def test_the_page_costs_the_same_queries_for_few_or_many_cohorts(
    client, admin, data, query_counter
):
    def count() -> int:
        db.session.expire_all()
        with query_counter as queries:
            assert client.get(f"{URL}?{YEAR_2025}").status_code == 200
        return queries.count

    small = count()
    _grow(6)
    large = count()
    print(f"indicators page: {small} queries, then {large}")
    assert small == large <= 15
