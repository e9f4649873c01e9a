"""The audit log page and its CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from lms import ROOT
from lms.accounts.models import AuditEvent, TokenPurpose
from lms.admin.audit_words import ACTION_WORDS, action_words
from lms.extensions import db
from tests.admin.helpers import field_errors, listed_events
from tests.factories import AuditEventFactory, UserFactory
from tests.web.helpers import text


def at(*parts: int) -> datetime:
    """Return an aware UTC datetime."""
    return datetime(*parts, tzinfo=UTC)


def page(client, **query) -> str:
    """Return the HTML of the audit log for this query string."""
    response = client.get("/admin/audit", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def export(client, **query) -> list[list[str]]:
    """Return the rows of the CSV export for this query string (header first)."""
    response = client.get("/admin/audit.csv", query_string=query)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def events(admin):
    """Record four events by two actors and the system, on three days."""
    bob = UserFactory(email="bob@example.org", display_name="Bob")
    return {
        "old": AuditEventFactory(
            actor=admin, action="user.create", object_id="7", created_at=at(2025, 1, 10, 9)
        ),
        "grant": AuditEventFactory(
            actor=bob,
            action="user.grant_admin",
            object_id="8",
            before={"is_admin": False},
            after={"is_admin": True},
            created_at=at(2025, 2, 1, 12),
        ),
        # 23:30 UTC on 1 February is 00:30 on 2 February in Paris.
        "late": AuditEventFactory(
            actor=admin,
            action="cohort.archive",
            object_type="Cohort",
            object_id="3",
            created_at=at(2025, 2, 1, 23, 30),
        ),
        "system": AuditEventFactory(
            actor=None, action="user.update", object_id="8", created_at=at(2025, 3, 5, 8)
        ),
    }


def ids(*events) -> list[str]:
    """Return the ids of events as the page lists them."""
    return [str(event.id) for event in events]


def test_events_are_listed_newest_first_with_actor_object_and_change(client, events):
    html = page(client)
    assert listed_events(html) == ids(
        events["system"], events["late"], events["grant"], events["old"]
    )
    assert "bob@example.org" in html
    assert text("System") in html
    assert f'<td data-action="user.grant_admin">{text("Administrator rights granted")}</td>' in html
    assert "<del>False</del>" in html
    assert "<ins>True</ins>" in html
    assert "Cohort #3" in html


def test_action_choices_are_the_recorded_actions_in_words(client, events):
    html = page(client)
    for action in ("user.create", "user.grant_admin", "cohort.archive", "user.update"):
        assert f'<option value="{action}">{action_words(action)}</option>' in html
    assert text("Cohort archived") in html


def test_an_action_without_words_is_shown_as_its_code(client, admin):
    AuditEventFactory(actor=admin, action="unknown.action")
    assert '<td data-action="unknown.action">unknown.action</td>' in page(client)


def recorded_actions() -> set[str]:
    """Return the action codes the application's sources give record_audit_event."""
    found = set()
    for source in (ROOT / "lms").rglob("*.py"):
        code = source.read_text(encoding="utf-8")
        if "record_audit_event(" in code:
            found |= set(
                re.findall(
                    r'"((?:user|cohort|membership|assessor|certificate|certification|'
                    r'assessment|grade)\.[a-z_0-9]+)"',
                    code,
                )
            )
    # Made from a token's purpose: f"user.password_{record.purpose.value}".
    found |= {f"user.password_{purpose.value}" for purpose in TokenPurpose}
    return found


def test_every_recorded_action_has_words():
    grading_only = {  # the grading history's own events, never in the audit log
        "grade.conflict",
        "grade.finish",
        "grade.release",
        "grade.return",
        "grade.save",
        "grade.start",
    }
    assert recorded_actions() - grading_only - set(ACTION_WORDS) == set()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "BOB@"}, ["grant"]),
        ({"actor": "example.org"}, ["late", "grant", "old"]),
        ({"actor": "%"}, []),
        ({"action": "user.create"}, ["old"]),
        ({"object_type": "Cohort"}, ["late"]),
        ({"object_type": "User", "object_id": "8"}, ["system", "grant"]),
        ({"date_from": "2025-02-01", "date_to": "2025-02-01"}, ["grant"]),
        ({"date_from": "2025-02-02"}, ["system", "late"]),
        ({"date_to": "2025-01-10"}, ["old"]),
        ({"date_from": "2025-02-01", "date_to": "2025-02-02", "actor": "alice"}, ["late"]),
    ],
)
def test_filters(client, events, query, expected):
    assert listed_events(page(client, **query)) == ids(*(events[name] for name in expected))
    exported = export(client, **query)
    assert len(exported) == len(expected) + 1


def test_an_end_date_before_the_start_is_refused(client, events):
    html = page(client, date_from="2025-02-02", date_to="2025-02-01")
    assert text("The end date must be on or after the start date.") in field_errors(html, "date_to")
    assert listed_events(html) == []
    assert text("Correct the filters to see the events.") in html


@pytest.mark.parametrize("value", ["2025-13-01", "yesterday", "01/02/2025", "2025-02-30"])
def test_a_malformed_date_is_refused(client, events, value):
    html = page(client, date_from=value)
    assert field_errors(html, "date_from")
    assert listed_events(html) == []


@pytest.mark.parametrize("field", ["date_from", "date_to"])
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_date_out_of_range_is_refused_beside_it(client, events, field, value):
    html = page(client, **{field: value})
    assert field_errors(html, field) == text("Enter a date between the years 2000 and 2100.")
    assert listed_events(html) == []


def test_an_unknown_action_is_refused(client, events):
    html = page(client, action="user.explode")
    assert field_errors(html, "action")
    assert listed_events(html) == []


def test_the_export_of_bad_filters_goes_back_to_the_page(client, events):
    response = client.get("/admin/audit.csv?date_from=2025-02-02&date_to=2025-02-01")
    assert response.headers["Location"] == "/admin/audit?date_from=2025-02-02&date_to=2025-02-01"


def test_pages_of_fifty_keep_the_filters(client, admin):
    db.session.add_all(
        AuditEvent(actor=admin, action="user.update", object_type="User", object_id=str(n))
        for n in range(60)
    )
    db.session.commit()
    first = page(client, action="user.update")
    assert len(listed_events(first)) == 50
    assert 'href="/admin/audit?page=2&amp;action=user.update" rel="next"' in first
    second = page(client, action="user.update", page=2)
    assert len(listed_events(second)) == 10
    assert not set(listed_events(first)) & set(listed_events(second))


def test_query_count_does_not_grow_with_events(client, admin, query_counter):
    AuditEventFactory.create_batch(3, actor=admin)
    with query_counter as few:
        client.get("/admin/audit")
    few_count = few.count
    actors = UserFactory.create_batch(3)
    db.session.add_all(
        AuditEvent(actor=actors[n % 3], action=f"action.{n % 7}", object_type="User")
        for n in range(120)
    )
    db.session.commit()
    db.session.expire_all()
    with query_counter as many:
        html = client.get("/admin/audit").get_data(as_text=True)
    assert len(listed_events(html)) == 50
    assert many.count == few_count


def test_export_has_a_header_and_every_event_in_order(client, events):
    rows = export(client)
    assert rows[0] == [
        "time_utc",
        "actor_email",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
    ]
    assert rows[1][:4] == ["2025-03-05T08:00:00+00:00", "", "", "user.update"]
    assert rows[3] == [
        "2025-02-01T12:00:00+00:00",
        "bob@example.org",
        "Bob",
        "user.grant_admin",
        "User",
        "8",
        '{"is_admin": false}',
        '{"is_admin": true}',
    ]
    assert len(rows) == 5


def test_export_neutralises_formulas_in_every_cell(client, admin):
    evil = UserFactory(email="evil@example.org", display_name='=HYPERLINK("http://x.example","y")')
    AuditEventFactory(
        actor=evil, action="user.update", object_id="@1", after={"display_name": "+1"}
    )
    [_, row] = export(client)
    assert row[2] == '\'=HYPERLINK("http://x.example","y")'
    assert row[5] == "'@1"
    assert row[7] == '{"display_name": "+1"}'


def test_export_is_an_attachment_that_is_not_cached(client, events):
    response = client.get("/admin/audit.csv")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-')
    assert response.headers["Cache-Control"] == "no-store"
