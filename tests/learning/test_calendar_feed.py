"""The private calendar feed: its address (created, shown once, renewed, revoked) and its events."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from icalendar import Calendar

from lms.core.time import utcnow
from lms.extensions import db
from lms.learning.calendar.models import CalendarFeed
from lms.learning.calendar.services import issue_feed
from tests.factories import (
    AssessmentFactory,
    MembershipFactory,
    QuizAttemptFactory,
    SubmissionFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.learning.calendar_world import make_calendar_world
from tests.web.helpers import log_in

URL = re.compile(r'id="calendar-url"[^>]*>(http[^<]+/calendar/([A-Za-z0-9_-]+)\.ics)</textarea>')


def create_address(client, user) -> str:
    """Log in, create the calendar address on the page; return its token."""
    log_in(client, user)
    response = client.post("/account/calendar")
    assert response.status_code == 200
    match = URL.search(response.get_data(as_text=True))
    assert match, "the new address is shown"
    client.post("/logout")
    return match.group(2)


def read_feed(client, token: str) -> Calendar:
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def uids(calendar: Calendar) -> set[str]:
    return {str(event["UID"]) for event in calendar.walk("VEVENT")}


def events_by_uid(calendar: Calendar) -> dict:
    return {str(event["UID"]).split("@")[0]: event for event in calendar.walk("VEVENT")}


def test_a_learner_feed_has_exactly_their_cohort_items(client):
    world = make_calendar_world()
    token = create_address(client, world.learner)
    calendar = read_feed(client, token)
    events = events_by_uid(calendar)
    learner = world.learner.id
    assert set(events) == {
        f"module-opens-{world.cohort.id}-{world.module.id}",
        f"module-closes-{world.cohort.id}-{world.module.id}",
        f"deadline-{world.assignment.id}-{learner}",
        f"deadline-{world.quiz.id}-{learner}",
        f"session-{world.session.id}",
        f"session-{world.remote_session.id}",
    }
    body = calendar.to_ical().decode()
    for foreign in ("Nantes", "Autre", "Bastien"):
        assert foreign not in body
    # Sessions: place or link, trainers by name, times in the organisation's time zone.
    in_person = events[f"session-{world.session.id}"]
    assert str(in_person["LOCATION"]) == world.session.place
    assert "Théo Formateur" in str(in_person["DESCRIPTION"])
    assert in_person["DTSTART"].dt.tzinfo.key == "Europe/Paris"
    assert in_person["DTSTART"].dt == world.session.starts_at
    assert in_person["DTEND"].dt == world.session.ends_at
    remote = events[f"session-{world.remote_session.id}"]
    assert str(remote["LOCATION"]) == str(remote["URL"]) == world.remote_session.link
    # Deadlines: the extension wins over the module's opening + due_days.
    quiz = events[f"deadline-{world.quiz.id}-{learner}"]
    assert quiz["DTSTART"].dt == world.quiz_due_at
    assignment = events[f"deadline-{world.assignment.id}-{learner}"]
    assert assignment["DTSTART"].dt == world.window.opens_at + timedelta(days=3)
    assert str(assignment["SUMMARY"]) == "Due: M1 · Carnet de bord"
    assert "extended" in str(quiz["DESCRIPTION"])
    # Every event has a DTSTAMP; the calendar its Europe/Paris VTIMEZONE.
    assert all("DTSTAMP" in event for event in calendar.walk("VEVENT"))
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_uids_are_stable_from_one_reading_to_the_next(client):
    world = make_calendar_world()
    token = create_address(client, world.learner)
    assert uids(read_feed(client, token)) == uids(read_feed(client, token))


def test_work_handed_in_stays_marked(client):
    world = make_calendar_world()
    SubmissionFactory(assessment=world.assignment, user=world.learner)
    db.session.commit()
    token = create_address(client, world.learner)
    event = events_by_uid(read_feed(client, token))[
        f"deadline-{world.assignment.id}-{world.learner.id}"
    ]
    assert str(event["SUMMARY"]) == "Handed in: M1 · Carnet de bord"


def test_summaries_are_in_the_reader_language(client):
    world = make_calendar_world(learner_locale="fr")
    token = create_address(client, world.learner)
    calendar = read_feed(client, token)
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert "Séance : M1 · Le bien-vivre" in summaries
    assert "Échéance : M1 · Carnet de bord" in summaries


def test_a_trainer_sees_the_sessions_of_their_cohorts_and_no_deadline(client):
    world = make_calendar_world()
    token = create_address(client, world.trainer)
    events = events_by_uid(read_feed(client, token))
    assert f"session-{world.session.id}" in events
    assert f"session-{world.remote_session.id}" in events
    assert f"session-{world.other_session.id}" not in events
    assert not [uid for uid in events if uid.startswith("deadline-")]
    assert f"module-opens-{world.cohort.id}-{world.module.id}" in events
    # A trainer's summaries name the cohort (they may train several).
    assert "Promotion Lille" in str(events[f"session-{world.session.id}"]["SUMMARY"])


def test_a_trainer_leading_a_session_of_another_cohort_sees_it(client):
    world = make_calendar_world()
    world.other_session.trainers.append(world.trainer)
    db.session.commit()
    token = create_address(client, world.trainer)
    assert f"session-{world.other_session.id}" in events_by_uid(read_feed(client, token))


def test_only_the_hash_of_the_token_is_stored(client):
    world = make_calendar_world()
    token = create_address(client, world.learner)
    feed = db.session.scalar(db.select(CalendarFeed))
    assert feed.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 22  # at least 128 bits in URL-safe base64
    # The page afterwards says there is an address, and cannot show it again.
    log_in(client, world.learner)
    page = client.get("/account/calendar").get_data(as_text=True)
    assert token not in page
    assert 'id="calendar-url"' not in page
    assert "You have a calendar address" in page


def test_a_revoked_token_gets_the_same_404_as_an_unknown_one(client):
    world = make_calendar_world()
    token = create_address(client, world.learner)
    unknown = client.get(f"/calendar/{'B' * 43}.ics")
    log_in(client, world.learner)
    assert client.post("/account/calendar/revoke").status_code == 302
    client.post("/logout")
    revoked = client.get(f"/calendar/{token}.ics")
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.data == unknown.data
    assert db.session.scalar(db.select(db.func.count()).select_from(CalendarFeed)) == 0


def test_renewing_invalidates_the_old_address(client):
    world = make_calendar_world()
    old = create_address(client, world.learner)
    new = create_address(client, world.learner)
    assert old != new
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200


@pytest.mark.parametrize(
    "token",
    ["short", "A" * 44, "A" * 42 + "%00", "../../etc/passwd", "A" * 5000, "a/b" + "c" * 40],
)
def test_malformed_tokens_get_the_same_404(client, token):
    unknown = client.get(f"/calendar/{'C' * 43}.ics")
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert response.data == unknown.data


def test_the_feed_needs_no_session_and_sets_no_cookie(app, client):
    world = make_calendar_world()
    token = create_address(client, world.learner)
    response = app.test_client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_an_inactive_person_has_no_feed(client):
    world = make_calendar_world()
    token = create_address(client, world.learner)
    world.learner.is_active = False
    db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_feed_is_rate_limited(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_CALENDAR", "3 per minute")
    for _ in range(3):
        assert client.get(f"/calendar/{'D' * 43}.ics").status_code == 404
    assert client.get(f"/calendar/{'D' * 43}.ics").status_code == 429


def test_the_page_requires_a_login(client):
    assert client.get("/account/calendar").status_code == 302
    assert client.post("/account/calendar").status_code == 302


def _feed_queries(client, query_counter, count: int) -> int:
    world = make_calendar_world(suffix=f" ({count})")
    for index in range(count):
        TrainingSessionFactory(
            cohort=world.cohort,
            module=world.module,
            starts_at=utcnow() + timedelta(days=index + 2),
            ends_at=utcnow() + timedelta(days=index + 2, hours=3),
            trainers=[world.trainer, UserFactory()],
        )
        assessment = AssessmentFactory(module=world.module, due_days=index)
        if index % 2:
            SubmissionFactory(assessment=assessment, user=world.learner)
        else:
            QuizAttemptFactory(
                assessment=AssessmentFactory(module=world.module, quiz=True, due_days=index),
                user=world.learner,
                submitted=True,
            )
    MembershipFactory(user=world.learner, cohort=world.other_cohort, trainer=True)
    db.session.commit()
    token = issue_feed(world.learner)
    db.session.commit()
    with query_counter as queries:
        response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert len(Calendar.from_ical(response.data).walk("VEVENT")) > 2 * count
    return queries.count


def test_the_feed_costs_the_same_queries_for_10_or_200_items(client, query_counter):
    small = _feed_queries(client, query_counter, 10)
    large = _feed_queries(client, query_counter, 200)
    assert small == large, f"{small} queries for 10 items, {large} for 200"
    assert small <= 12
    print(f"calendar feed: {small} queries for 10 and for 200 sessions and deadlines")
