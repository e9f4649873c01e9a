"""Trainers mark learners on the open sheet: every learner listed, constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.attendance.models import AttendanceRecord, AttendanceSheet, AttendanceStatus, RecordedBy
from lms.core.time import organisation_timezone
from lms.extensions import db
from tests.attendance.sheet_support import mark_closed, sheet_world
from tests.factories import (
    AttendanceRecordFactory,
    MembershipFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.web.helpers import count_queries, log_in


def mark_url(world, learner) -> str:
    return f"/attendance/sessions/{world.session.id}/learners/{learner.id}/mark"


def record_of(world, learner):
    db.session.expire_all()
    return db.session.scalar(
        db.select(AttendanceRecord).filter_by(sheet_id=world.sheet.id, learner_id=learner.id)
    )


def test_the_sheet_page_lists_every_learner_and_shows_the_code(client):
    world = sheet_world(3)
    AttendanceRecordFactory(sheet=world.sheet, learner=world.learners[1])
    db.session.commit()
    log_in(client, world.trainer)
    page = client.get(f"/attendance/sessions/{world.session.id}/sheet").get_data(as_text=True)
    for learner in world.learners:
        assert f'id="learner-{learner.id}"' in page
    assert "Not yet signed" in page
    assert "signed with the code at" in page
    code = world.code()
    assert f"{code[:3]} {code[3:]}" in page or "code-digits" in page
    assert 'src="data:image/png;base64,' in page
    assert "js/attendance-code.js" in page


def test_the_sheet_is_created_once_on_first_visit(client):
    session = TrainingSessionFactory()
    trainer = MembershipFactory(cohort=session.cohort, trainer=True).user
    db.session.commit()
    log_in(client, trainer)
    for _ in range(2):
        assert client.get(f"/attendance/sessions/{session.id}/sheet").status_code == 200
    assert db.session.scalar(db.select(db.func.count(AttendanceSheet.id))) == 1


def test_the_code_json_answers_the_current_code(client):
    world = sheet_world()
    log_in(client, world.trainer)
    answer = client.get(f"/attendance/sessions/{world.session.id}/code")
    assert answer.headers["Cache-Control"] == "no-store"
    data = answer.get_json()
    assert data["open"] is True
    assert data["code"] == world.code()
    assert data["url"].endswith(f"/attendance/sign/{world.sheet.id}?code={data['code']}")


def test_outside_the_window_no_code_is_shown(client):
    world = sheet_world(starts_in=timedelta(days=2))
    log_in(client, world.trainer)
    page = client.get(f"/attendance/sessions/{world.session.id}/sheet").get_data(as_text=True)
    assert "code-panel" not in page
    assert "outside these times" in page
    assert client.get(f"/attendance/sessions/{world.session.id}/code").get_json() == {"open": False}


@pytest.mark.parametrize(
    ("data", "status", "arrived"),
    [
        ({"status": "present"}, AttendanceStatus.PRESENT, None),
        ({"status": "late", "arrived_at": "09:20"}, AttendanceStatus.LATE, "09:20"),
        ({"status": "absent"}, AttendanceStatus.ABSENT, None),
        ({"status": "excused", "reason": "Rendez-vous médical"}, AttendanceStatus.EXCUSED, None),
    ],
)
def test_a_trainer_marks_a_learner(client, data, status, arrived):
    world = sheet_world()
    log_in(client, world.trainer)
    answer = client.post(mark_url(world, world.learner), data=data)
    assert answer.status_code == 302
    record = record_of(world, world.learner)
    assert record.status == status
    assert record.recorded_by == RecordedBy.TRAINER
    assert record.recorder_id == world.trainer.id
    if arrived:
        assert record.arrived_at.astimezone(organisation_timezone()).strftime("%H:%M") == arrived
    else:
        assert record.arrived_at is None


def test_a_mark_replaces_a_signature(client):
    world = sheet_world()
    AttendanceRecordFactory(sheet=world.sheet, learner=world.learner)
    db.session.commit()
    log_in(client, world.trainer)
    client.post(mark_url(world, world.learner), data={"status": "late", "arrived_at": "10:00"})
    assert record_of(world, world.learner).status == AttendanceStatus.LATE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "late"}, "Give the arrival time of a late learner."),
        ({"status": "excused", "reason": "  "}, "Give the reason of an excused absence."),
        ({"status": "sleeping"}, "Not a valid choice"),
        ({}, "Choose a status."),
    ],
)
def test_an_incomplete_mark_is_refused(client, data, message):
    world = sheet_world()
    log_in(client, world.trainer)
    answer = client.post(mark_url(world, world.learner), data=data)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    assert record_of(world, world.learner) is None


def test_marking_someone_outside_the_cohort_is_refused(client):
    world = sheet_world()
    other = sheet_world()
    log_in(client, world.trainer)
    answer = client.post(mark_url(world, other.learner), data={"status": "present"})
    assert answer.status_code == 404
    trainer = client.post(mark_url(world, world.trainer), data={"status": "present"})
    assert trainer.status_code == 404
    assert record_of(world, other.learner) is None


def test_marking_a_closed_sheet_is_refused(client):
    world = sheet_world()
    mark_closed(world)
    log_in(client, world.trainer)
    answer = client.post(mark_url(world, world.learner), data={"status": "present"})
    assert answer.status_code == 409
    assert "This attendance sheet is closed" in answer.get_data(as_text=True)
    assert record_of(world, world.learner) is None


@pytest.mark.parametrize("who", ["other_trainer", "learner", "outsider"])
def test_only_staff_of_the_cohort_reach_the_sheet(client, who):
    world = sheet_world()
    other = sheet_world()
    people = {"other_trainer": other.trainer, "learner": world.learner, "outsider": UserFactory()}
    log_in(client, people[who])
    assert client.get(f"/attendance/sessions/{world.session.id}/sheet").status_code == 403
    answer = client.post(mark_url(world, world.learner), data={"status": "present"})
    assert answer.status_code == 403
    assert record_of(world, world.learner) is None


def test_an_administrator_marks_too(client):
    world = sheet_world()
    log_in(client, UserFactory(admin=True))
    assert client.post(mark_url(world, world.learner), data={"status": "absent"}).status_code == 302


def test_unknown_session_is_not_found(client):
    world = sheet_world()
    log_in(client, world.trainer)
    assert client.get(f"/attendance/sessions/{world.session.id + 99}/sheet").status_code == 404


def sheet_queries(client, learners: int) -> int:
    world = sheet_world(learners)
    for index, learner in enumerate(world.learners):
        trait = ("absent", "late", "excused", None)[index % 4]
        AttendanceRecordFactory(
            sheet=world.sheet, learner=learner, **({trait: True} if trait else {})
        )
    db.session.commit()
    log_in(client, world.trainer)
    client.get(f"/attendance/sessions/{world.session.id}/sheet")
    with count_queries() as statements:
        assert client.get(f"/attendance/sessions/{world.session.id}/sheet").status_code == 200
    return len(statements)


def test_the_sheet_page_costs_the_same_queries_for_10_or_200_learners(client, app):
    small = sheet_queries(client, 10)
    with app.test_client() as other:
        large = sheet_queries(other, 200)
    print(f"sheet page: {small} queries for 10 learners, {large} for 200")
    assert small == large
