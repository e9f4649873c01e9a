"""The learner's schedule: their cohort's sessions to come and past, nobody else's."""

from __future__ import annotations

from datetime import date, timedelta

from lms.attendance.models import Modality, SheetState
from lms.core.time import utcnow
from lms.extensions import db
from tests.attendance.support import add_session, client_of, make_session_world, next_weekday, paris
from tests.factories import AttendanceSheetFactory, TrainingSessionFactory, UserFactory
from tests.queries import QueryCounter


def test_a_learner_sees_upcoming_then_past_sessions_of_their_cohort_only(app):
    world = make_session_world()
    soon = next_weekday()
    upcoming = add_session(
        world, soon, modality=Modality.REMOTE, place=None, link="https://visio.example.org/m2"
    )
    past = add_session(world, date.today() - timedelta(days=7), module=world.modules["M3"])
    other = world.extra["other"]
    TrainingSessionFactory(cohort=other.cohort, module=other.modules["M1"], place="Salle secrète")
    db.session.commit()
    client = client_of(app, world.learners[0])
    page = client.get("/schedule")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.index(f'data-session="{upcoming.id}"') < html.index(f'data-session="{past.id}"')
    assert "https://visio.example.org/m2" in html
    assert "Théa Formatrice" in html
    assert "Salle secrète" not in html
    assert "09:00" in html or "9:00" in html
    assert 'href="/schedule"' in client.get("/dashboard").get_data(as_text=True)


def test_a_session_under_way_is_marked(app):
    world = make_session_world()
    now = utcnow()
    TrainingSessionFactory(
        cohort=world.cohort,
        module=world.modules["M2"],
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=3),
        trainers=[world.trainer],
    )
    db.session.commit()
    html = client_of(app, world.learners[0]).get("/schedule").get_data(as_text=True)
    assert "schedule__session--now" in html


def test_a_session_whose_sheet_is_open_for_signing_links_to_its_signing_page(app):
    world = make_session_world()
    now = utcnow()
    running = TrainingSessionFactory(
        cohort=world.cohort,
        module=world.modules["M2"],
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=3),
        trainers=[world.trainer],
    )
    later = TrainingSessionFactory(
        cohort=world.cohort,
        module=world.modules["M2"],
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=3),
        trainers=[world.trainer],
    )
    open_sheet = AttendanceSheetFactory(session=running)
    early_sheet = AttendanceSheetFactory(session=later)  # opened before its window
    db.session.commit()
    html = client_of(app, world.learners[0]).get("/schedule").get_data(as_text=True)
    assert f'href="/attendance/sign/{open_sheet.id}"' in html
    assert f"/attendance/sign/{early_sheet.id}" not in html
    open_sheet.state, open_sheet.closed_at, open_sheet.closed_by = (
        SheetState.CLOSED,
        now,
        world.trainer,
    )
    db.session.commit()
    html = client_of(app, world.learners[0]).get("/schedule").get_data(as_text=True)
    assert f"/attendance/sign/{open_sheet.id}" not in html  # closed: nothing to sign


def test_someone_in_no_cohort_sees_an_empty_schedule(app):
    html = client_of(app, UserFactory()).get("/schedule").get_data(as_text=True)
    assert "No session is planned yet." in html


def test_the_schedule_costs_the_same_queries_for_10_or_200_sessions(app):
    counts = []
    for size in (10, 200):
        world = make_session_world()
        world.cohort.starts_on = date.today() - timedelta(days=200)
        start = date.today() - timedelta(days=size // 2)
        for number in range(size):
            day = start + timedelta(days=number)
            TrainingSessionFactory(
                cohort=world.cohort,
                module=world.modules["M2" if number % 2 else "M3"],
                starts_at=paris(day, 9),
                ends_at=paris(day, 12),
                trainers=[world.trainer, world.other_trainer],
            )
        db.session.commit()
        client = client_of(app, world.learners[0])
        client.get("/schedule")
        with QueryCounter() as counter:
            response = client.get("/schedule")
        assert response.get_data(as_text=True).count("data-session=") == size
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
