"""The administrators' editor of a cohort's module calendar."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from lms.accounts.models import AuditEvent
from lms.cohorts.models import ModuleCalendar
from lms.extensions import db
from tests.factories import CohortFactory, ModuleCalendarFactory, TrainingPathFactory, UserFactory
from tests.learning.helpers import make_bien_vivre_path
from tests.web.helpers import log_in, text

ORDER = ("M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8")


@pytest.fixture
def admin(client):
    """Log an administrator in and return them."""
    user = UserFactory(admin=True)
    log_in(client, user)
    return user


@pytest.fixture
def bien_vivre():
    """The §6 path, unscheduled, on a cohort running from 5 January to 18 December 2026."""
    cohort = CohortFactory(
        path=TrainingPathFactory(), starts_on=date(2026, 1, 5), ends_on=date(2026, 12, 18)
    )
    return make_bien_vivre_path(cohort=cohort, opened=(), lessons=False)


def calendar_form(**rows: dict) -> dict:
    """Return the posted calendar: each module code maps to its fields."""
    data = {}
    for code, fields in rows.items():
        for name, value in fields.items():
            data[f"{code}-{name}"] = value
    return data


def valid_rows() -> dict[str, dict]:
    """A valid calendar (Paris time), M3 and M4 side by side."""
    return {
        "M1": {"opens_at": "2026-01-05T09:00", "closes_at": "2026-02-01T18:00"},
        "M2": {"opens_at": "2026-02-02T09:00"},
        "M3": {"opens_at": "2026-03-02T09:00", "place": "Lyon"},
        "M4": {
            "opens_at": "2026-03-02T09:00",
            "session_starts_at": "2026-06-01T09:30",
            "session_ends_at": "2026-06-01T17:00",
        },
        "M5": {"opens_at": "2026-04-06T09:00"},
    }


def errors_of(html: str, code: str, field: str) -> str:
    """Return the error messages shown under one module's field ('' when there are none)."""
    pattern = rf'data-errors-for="{code}\.{field}">(.*?)</ul>'
    match = re.search(pattern, html, re.S)
    return " ".join(re.findall(r"<li>(.*?)</li>", match.group(1), re.S)) if match else ""


def saved() -> dict[str, ModuleCalendar]:
    """Return the saved calendar rows by module code."""
    return {row.module.code: row for row in db.session.scalars(db.select(ModuleCalendar))}


def test_page_lists_modules_in_chronological_order_in_local_time(client, admin, bien_vivre):
    module = bien_vivre.modules["M1"]
    ModuleCalendarFactory(
        cohort=bien_vivre.cohort, module=module, opens_at=datetime(2026, 1, 5, 8, tzinfo=UTC)
    )
    html = client.get(f"/admin/cohorts/{bien_vivre.cohort.id}/calendar").get_data(as_text=True)
    assert tuple(re.findall(r'<tr data-module="(M\d)">', html)) == ORDER
    assert 'name="M1-opens_at" type="datetime-local" value="2026-01-05T09:00"' in html
    assert text("after %(codes)s", codes="M3, M4") in html


def test_saving_stores_utc_and_audits(client, admin, bien_vivre):
    cohort = bien_vivre.cohort
    response = client.post(
        f"/admin/cohorts/{cohort.id}/calendar", data=calendar_form(**valid_rows())
    )
    assert response.headers["Location"] == f"/admin/cohorts/{cohort.id}/calendar"
    rows = saved()
    assert set(rows) == {"M1", "M2", "M3", "M4", "M5"}
    assert rows["M1"].opens_at == datetime(2026, 1, 5, 8, tzinfo=UTC)  # winter: UTC+1
    assert rows["M4"].session_starts_at == datetime(2026, 6, 1, 7, 30, tzinfo=UTC)  # summer: UTC+2
    assert rows["M3"].opens_at == rows["M4"].opens_at
    assert rows["M3"].place == "Lyon"
    actions = db.session.scalars(db.select(AuditEvent.action).filter_by(object_id=str(cohort.id)))
    assert list(actions) == ["cohort.calendar"]


def test_clearing_a_row_unschedules_the_module(client, admin, bien_vivre):
    cohort = bien_vivre.cohort
    client.post(f"/admin/cohorts/{cohort.id}/calendar", data=calendar_form(**valid_rows()))
    rows = valid_rows()
    del rows["M5"]
    client.post(f"/admin/cohorts/{cohort.id}/calendar", data=calendar_form(**rows))
    assert set(saved()) == {"M1", "M2", "M3", "M4"}


def post_refused(client, cohort, rows) -> str:
    """Post a calendar that must be refused; check nothing was saved and return the page."""
    response = client.post(f"/admin/cohorts/{cohort.id}/calendar", data=calendar_form(**rows))
    assert response.status_code == 200
    assert saved() == {}
    return response.get_data(as_text=True)


def test_module_opening_before_its_prerequisite_is_refused_on_its_field(client, admin, bien_vivre):
    rows = valid_rows()
    rows["M5"] = {"opens_at": "2026-03-01T09:00"}
    html = post_refused(client, bien_vivre.cohort, rows)
    expected = text("cannot open before its prerequisite %(code)s", code="M3")
    expected += " " + text("cannot open before its prerequisite %(code)s", code="M4")
    assert errors_of(html, "M5", "opens_at") == expected
    assert errors_of(html, "M4", "opens_at") == ""


def test_unscheduled_prerequisite_is_refused(client, admin, bien_vivre):
    rows = valid_rows()
    del rows["M2"]
    html = post_refused(client, bien_vivre.cohort, rows)
    message = text("its prerequisite %(code)s is not scheduled", code="M2")
    assert errors_of(html, "M3", "opens_at") == message


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"closes_at": "2027-01-01T09:00"},
            "closes_at",
            "dates must lie between the cohort's start and end",
        ),
        (
            {"opens_at": "2026-01-04T23:30"},
            "opens_at",
            "dates must lie between the cohort's start and end",
        ),
        ({"closes_at": "2026-01-05T08:00"}, "closes_at", "must close after it opens"),
        (
            {"session_starts_at": "2026-01-10T10:00", "session_ends_at": "2026-01-10T09:00"},
            "session_ends_at",
            "the session must end after it starts",
        ),
        (
            {"opens_at": "", "place": "Paris"},
            "opens_at",
            "Give the opening date, or clear the row.",
        ),
        (
            {"opens_at": "5 janvier"},
            "opens_at",
            "Not a valid date and time: enter the day, month, year and time.",
        ),
    ],
)
def test_bad_dates_are_refused_beside_the_field(client, admin, bien_vivre, change, field, message):
    rows = valid_rows()
    rows["M1"] = rows["M1"] | change
    html = post_refused(client, bien_vivre.cohort, rows)
    assert errors_of(html, "M1", field) == text(message)


def test_cohort_start_is_midnight_in_the_organisation_timezone(client, admin, bien_vivre):
    rows = valid_rows()
    rows["M1"]["opens_at"] = "2026-01-05T00:30"  # 23:30 UTC the day before: still inside
    client.post(f"/admin/cohorts/{bien_vivre.cohort.id}/calendar", data=calendar_form(**rows))
    assert saved()["M1"].opens_at == datetime(2026, 1, 4, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0001-01-01T00:00", "Enter a date between the years 2000 and 2100."),
        ("9999-12-31T23:59", "Enter a date between the years 2000 and 2100."),
        ("2026-03-29T02:30", "This time does not exist in Europe/Paris"),
        ("2026-10-25T02:30", "This time happens twice in Europe/Paris"),
    ],
)
def test_an_impossible_time_is_a_field_error_not_a_crash(client, admin, bien_vivre, value, message):
    rows = valid_rows()
    rows["M1"]["opens_at"] = value
    url = f"/admin/cohorts/{bien_vivre.cohort.id}/calendar"
    response = client.post(url, data=calendar_form(**rows))
    assert response.status_code == 200
    assert errors_of(response.get_data(as_text=True), "M1", "opens_at").startswith(text(message))
    assert saved() == {}
