"""Planning sessions: the staff's form and list, every refusal, the audit, the cohort's e-mails."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.accounts.models import AuditEvent
from lms.attendance.models import Modality, TrainingSession
from lms.attendance.sessions.services import (
    SessionError,
    SessionFrozen,
    SessionInvalid,
    SessionPlan,
    delete_session,
    plan_problems,
    update_session,
)
from lms.extensions import db
from tests.attendance.support import (
    add_session,
    client_of,
    count_sessions,
    form_data,
    make_session_world,
    next_weekday,
    paris,
)
from tests.factories import (
    AttendanceRecordFactory,
    AttendanceSheetFactory,
    ModuleFactory,
    TrainingSessionFactory,
)
from tests.queries import QueryCounter
from tests.security.test_free_text import field_errors
from tests.web.helpers import text

RLO = "\u202e"


def next_clock_change(month: int) -> date:
    """Return the next last Sunday of March (3) or October (10): Paris changes its clocks."""
    year = date.today().year
    while True:
        day = date(year, month, 31)
        while day.weekday() != 6:
            day -= timedelta(days=1)
        if day > date.today():
            return day
        year += 1


@pytest.fixture
def world():
    return make_session_world()


def new_session_url(world) -> str:
    return f"/manage/cohorts/{world.cohort.id}/sessions/new"


# Creating ------------------------------------------------------------------------------------


def test_a_trainer_plans_a_session_in_paris_time_and_the_cohort_is_told(app, world, smtp_server):
    client = client_of(app, world.trainer)
    day = next_weekday()
    response = client.post(new_session_url(world), data=form_data(world, day))
    assert response.status_code == 302
    session = db.session.scalar(db.select(TrainingSession))
    assert session.starts_at == paris(day, 9)
    assert session.ends_at == paris(day, 12, 30)
    assert session.place == "Tiers-lieu La Coursive, 8 rue de Paris, Lille"
    assert session.link is None
    assert [user.id for user in session.trainers] == [world.trainer.id]
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="session.create"))
    assert event.actor_id == world.trainer.id
    assert event.after["module"] == "M2"
    # Both learners and both trainers, once each.
    expected = sorted(u.email for u in [*world.learners, world.trainer, world.other_trainer])
    assert sorted(message["To"] for message in smtp_server) == expected
    assert all(message["Subject"].startswith("New session: M2,") for message in smtp_server)
    body = smtp_server[0].get_content()
    assert "09:00" in body or "9:00" in body
    assert "Tiers-lieu La Coursive" in body


def test_an_administrator_plans_a_remote_session_with_two_trainers(app, world, smtp_server):
    client = client_of(app, world.admin)
    data = form_data(
        world,
        next_weekday(),
        modality="remote",
        place="ignored",
        link="https://visio.example.org/m2",
        trainers=[str(world.trainer.id), str(world.other_trainer.id)],
    )
    assert client.post(new_session_url(world), data=data).status_code == 302
    session = db.session.scalar(db.select(TrainingSession))
    assert session.modality == Modality.REMOTE
    assert (session.place, session.link) == (None, "https://visio.example.org/m2")
    assert len(session.trainers) == 2


def test_a_past_session_is_planned_without_telling_anyone(app, world, smtp_server):
    client = client_of(app, world.trainer)
    day = date.today() - timedelta(days=7)
    assert client.post(new_session_url(world), data=form_data(world, day)).status_code == 302
    assert count_sessions() == 1
    assert smtp_server == []


def refused(client, world, field: str, **overrides) -> str:
    """Post the form with ``overrides``; return the errors shown beside ``field``."""
    before = count_sessions()
    data = {**form_data(world, next_weekday()), **overrides}
    response = client.post(new_session_url(world), data=data)
    assert response.status_code == 200
    assert count_sessions() == before
    return field_errors(response.get_data(as_text=True), field)


def test_every_refusal_is_shown_beside_its_field_and_nothing_is_written(app, world, smtp_server):
    client = client_of(app, world.trainer)
    assert refused(client, world, "ends", ends="08:00") == text(
        "The session must end after it starts."
    )
    assert refused(client, world, "ends", ends="22:00") == text(
        "A session lasts 12 hours at most: split a longer day into half-days."
    )
    assert refused(client, world, "starts", starts="9 heures") == text(
        "Enter a time as hours and minutes, such as 09:00."
    )
    assert refused(client, world, "place", place="") == text(
        "Give the place of an in-person session."
    )
    assert refused(client, world, "link", modality="remote", link="") == text(
        "Give the link of a remote session."
    )
    assert refused(
        client, world, "link", modality="remote", link="http://visio.example.org/m2"
    ) == text("The link must be a web address starting with https://.")
    assert refused(client, world, "link", modality="remote", link="javascript:alert(1)") == text(
        "The link must be a web address starting with https://."
    )
    named = "U+202E RIGHT-TO-LEFT OVERRIDE"
    message = "Remove the invisible or control characters from this text: %(characters)s."
    assert refused(client, world, "place", place=f"Salle {RLO}A") == text(message, characters=named)
    assert refused(client, world, "trainers", trainers=[]) == text(
        "Choose at least one trainer of the cohort."
    )
    # A trainer of another cohort is not among the choices.
    assert refused(client, world, "trainers", trainers=[str(world.outsider_trainer.id)])
    other_module = world.extra["other"].modules["M1"]
    assert refused(client, world, "module", module=str(other_module.id))
    too_late = world.cohort.ends_on + timedelta(days=3)
    assert refused(client, world, "day", day=too_late.isoformat()) == text(
        "The session must take place within the cohort's dates, from %(start)s to %(end)s.",
        start=world.cohort.starts_on.isoformat(),
        end=world.cohort.ends_on.isoformat(),
    )
    assert smtp_server == []


def test_times_the_clocks_skip_or_repeat_are_refused(app, world):
    client = client_of(app, world.trainer)
    spring, autumn = next_clock_change(3), next_clock_change(10)
    world.cohort.starts_on, world.cohort.ends_on = date.today(), max(spring, autumn)
    db.session.commit()
    data = form_data(world, spring, starts="02:30", ends="04:00")
    response = client.post(new_session_url(world), data=data)
    assert "clocks skip it" in field_errors(response.get_data(as_text=True), "starts")
    data = form_data(world, autumn, starts="01:00", ends="02:30")
    response = client.post(new_session_url(world), data=data)
    assert "happens twice" in field_errors(response.get_data(as_text=True), "ends")
    assert count_sessions() == 0


def test_two_sessions_of_a_cohort_cannot_overlap_but_may_follow_each_other(app, world):
    day = next_weekday()
    existing = add_session(world, day)
    client = client_of(app, world.trainer)
    errors = refused(client, world, "starts", starts="12:00", ends="17:00")
    assert errors.startswith(text("Another session of the cohort takes place at that time (")[:40])
    assert "M2" in errors
    response = client.post(
        new_session_url(world), data=form_data(world, day, starts="12:30", ends="17:00")
    )
    assert response.status_code == 302
    assert count_sessions() == 2
    # Another cohort's session at the same time is no overlap.
    other = world.extra["other"]
    TrainingSessionFactory(
        cohort=other.cohort,
        module=other.modules["M1"],
        starts_at=existing.starts_at,
        ends_at=existing.ends_at,
    )
    db.session.commit()
    data = form_data(world, next_weekday(14))
    assert client.post(new_session_url(world), data=data).status_code == 302


def test_the_service_refuses_a_module_and_trainers_of_elsewhere(world):
    day = next_weekday()
    plan = SessionPlan(
        module=ModuleFactory(),
        starts_at=paris(day, 9),
        ends_at=paris(day, 12),
        modality=Modality.IN_PERSON,
        place="Salle 1",
        trainers=[world.outsider_trainer],
    )
    problems = plan_problems(world.cohort, plan)
    assert [(p.field, p.message) for p in problems] == [
        ("module", "Choose a module of the cohort's path."),
        ("trainers", "Not a trainer of this cohort: Xavier Ailleurs."),
    ]


# Changing ------------------------------------------------------------------------------------


def test_moving_a_session_tells_the_cohort_once_and_is_audited(app, world, smtp_server):
    day = next_weekday()
    session = add_session(world, day)
    client = client_of(app, world.trainer)
    url = f"/manage/sessions/{session.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="09:00"' in page
    assert 'value="12:30"' in page
    data = form_data(world, day, starts="13:30", ends="17:00")
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(session)
    assert session.starts_at == paris(day, 13, 30)
    assert len(smtp_server) == 4
    assert all(m["Subject"].startswith("Session changed: M2,") for m in smtp_server)
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="session.update"))
    assert event.before["starts_at"] != event.after["starts_at"]
    # Another trainer only: saved, audited, nobody mailed.
    smtp_server.clear()
    data = form_data(
        world, day, starts="13:30", ends="17:00", trainers=[str(world.other_trainer.id)]
    )
    assert client.post(url, data=data).status_code == 302
    assert smtp_server == []
    assert [user.id for user in session.trainers] == [world.other_trainer.id]


def test_a_session_whose_sheet_is_closed_cannot_change(app, world, smtp_server):
    day = next_weekday()
    session = add_session(world, day)
    AttendanceSheetFactory(session=session, closed=True)
    db.session.commit()
    client = client_of(app, world.admin)
    url = f"/manage/sessions/{session.id}/edit"
    assert 'id="frozen"' in client.get(url).get_data(as_text=True)
    response = client.post(url, data=form_data(world, day, starts="10:00", ends="12:30"))
    assert response.status_code == 200
    assert text(
        "This session's attendance sheet is closed: its date, times, place and trainers are "
        "those signed, and can no longer change."
    ) in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.starts_at == paris(day, 9)
    assert smtp_server == []
    plan = SessionPlan(
        module=session.module,
        starts_at=paris(day, 10),
        ends_at=paris(day, 12),
        modality=Modality.IN_PERSON,
        place="Salle",
        trainers=[world.trainer],
    )
    with pytest.raises(SessionFrozen):
        update_session(world.admin, session, plan)


def test_the_service_refuses_a_bad_plan_with_its_problems(world):
    session = add_session(world, next_weekday())
    day = next_weekday()
    plan = SessionPlan(
        module=session.module,
        starts_at=paris(day, 12),
        ends_at=paris(day, 9),
        modality=Modality.REMOTE,
        link="ftp://example.org",
        trainers=[world.trainer],
    )
    with pytest.raises(SessionInvalid) as error:
        update_session(world.admin, session, plan)
    assert {p.field for p in error.value.problems} == {"ends", "link"}


# Deleting ------------------------------------------------------------------------------------


def test_deleting_a_session_to_come_cancels_it_and_tells_the_cohort(app, world, smtp_server):
    session = add_session(world, next_weekday())
    AttendanceSheetFactory(session=session)  # open and empty: goes with it
    db.session.commit()
    client = client_of(app, world.trainer)
    response = client.post(f"/manage/sessions/{session.id}/delete")
    assert response.status_code == 302
    assert count_sessions() == 0
    assert len(smtp_server) == 4
    assert all(m["Subject"].startswith("Session cancelled: M2,") for m in smtp_server)
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="session.delete"))
    assert event.before["module"] == "M2"


def test_deleting_a_past_session_tells_nobody(app, world, smtp_server):
    session = add_session(world, date.today() - timedelta(days=7))
    client_of(app, world.trainer).post(f"/manage/sessions/{session.id}/delete")
    assert count_sessions() == 0
    assert smtp_server == []


def test_a_session_with_attendance_records_or_a_closed_sheet_cannot_be_deleted(
    app, world, smtp_server
):
    recorded = add_session(world, date.today() - timedelta(days=7))
    sheet = AttendanceSheetFactory(session=recorded)
    AttendanceRecordFactory(sheet=sheet, learner=world.learners[0])
    closed = add_session(world, date.today() - timedelta(days=14))
    AttendanceSheetFactory(session=closed, closed=True)
    db.session.commit()
    client = client_of(app, world.trainer)
    for session, message in (
        (
            recorded,
            "This session's attendance sheet already holds attendance records: the session "
            "cannot be deleted.",
        ),
        (closed, "This session's attendance sheet is closed: the session cannot be deleted."),
    ):
        response = client.post(f"/manage/sessions/{session.id}/delete", follow_redirects=True)
        assert text(message) in response.get_data(as_text=True)
    assert count_sessions() == 2
    assert smtp_server == []
    with pytest.raises(SessionError):
        delete_session(world.admin, recorded)
    db.session.rollback()


# The list ------------------------------------------------------------------------------------


def test_the_list_groups_sessions_by_module_with_hours_against_the_module(app, world):
    day = next_weekday()
    add_session(world, day)  # 3 h 30
    add_session(
        world,
        day,
        start=(13, 30),
        end=(17, 0),
        modality=Modality.REMOTE,
        place=None,
        link="https://visio.example.org/m2",
    )
    add_session(world, day + timedelta(days=1), module=world.modules["M3"])
    page = client_of(app, world.trainer).get(f"/manage/cohorts/{world.cohort.id}/sessions")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # M2: 28 h, 14 of them remote work: 14 h of sessions, 7 h planned.
    assert 'data-planned="420" data-expected="840"' in html
    assert 'data-planned="210"' in html  # M3
    assert 'id="sessions-total" data-minutes="630"' in html
    assert "https://visio.example.org/m2" in html
    assert (
        html.index('id="module-M1"') < html.index('id="module-M2"') < html.index('id="module-M3"')
    )


def test_the_sessions_are_linked_from_the_cohort_pages(app, world):
    url = f"/manage/cohorts/{world.cohort.id}/sessions"
    assert url in client_of(app, world.trainer).get("/manage/cohorts/").get_data(as_text=True)
    admin = client_of(app, world.admin)
    assert url in admin.get(f"/admin/cohorts/{world.cohort.id}/members").get_data(as_text=True)


def test_learners_and_trainers_of_another_cohort_are_denied(app, world):
    session = add_session(world, next_weekday())
    urls = [
        f"/manage/cohorts/{world.cohort.id}/sessions",
        f"/manage/cohorts/{world.cohort.id}/sessions/new",
        f"/manage/sessions/{session.id}/edit",
        f"/manage/cohorts/{world.cohort.id}/sessions/import",
    ]
    for user in (world.learners[0], world.outsider_trainer):
        client = client_of(app, user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        assert client.post(f"/manage/sessions/{session.id}/delete").status_code == 403
    assert client_of(app, world.trainer).get("/manage/sessions/999999/edit").status_code == 404
    assert count_sessions() == 1


def _fill(world, count: int) -> None:
    start = date.today() - timedelta(days=count // 2)
    for number in range(count):
        day = start + timedelta(days=number)
        TrainingSessionFactory(
            cohort=world.cohort,
            module=world.modules["M2" if number % 2 else "M3"],
            starts_at=paris(day, 9),
            ends_at=paris(day, 12),
            trainers=[world.trainer, world.other_trainer],
        )
    db.session.commit()


def test_the_list_costs_the_same_queries_for_10_or_200_sessions(app):
    counts = []
    for size in (10, 200):
        world = make_session_world()
        world.cohort.starts_on = date.today() - timedelta(days=200)
        _fill(world, size)
        client = client_of(app, world.trainer)
        url = f"/manage/cohorts/{world.cohort.id}/sessions"
        client.get(url)
        with QueryCounter() as counter:
            response = client.get(url)
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("data-session=") == size
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts


def test_each_person_is_mailed_in_their_language_with_paris_times(app, world, smtp_server):
    world.learners[0].locale = "fr"
    db.session.commit()
    day = next_weekday()
    session = add_session(world, day)
    client = client_of(app, world.trainer)
    data = form_data(world, day, starts="13:30", ends="17:00", place="Salle B, Lille")
    assert client.post(f"/manage/sessions/{session.id}/edit", data=data).status_code == 302
    by_address = {message["To"]: message for message in smtp_server}
    french = by_address[world.learners[0].email]
    assert french["Subject"].startswith("Séance modifiée : M2,")
    body = french.get_content()
    assert "Elle était prévue :" in body
    assert "13:30–17:00" in body
    assert "09:00–12:30" in body  # before
    assert "Salle B, Lille" in body
    assert "/schedule" in body
    english = by_address[world.trainer.email]
    assert english["Subject"].startswith("Session changed: M2,")
    assert f"/manage/cohorts/{world.cohort.id}/sessions" in english.get_content()
