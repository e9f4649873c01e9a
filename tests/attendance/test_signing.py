"""Learners sign with the code: present or late, once; every refusal says why, records nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.attendance.models import AttendanceRecord, AttendanceStatus, RecordedBy
from lms.attendance.sheets import codes
from lms.attendance.sheets.services import clock
from lms.core.time import utcnow
from lms.extensions import db
from tests.attendance.sheet_support import mark_closed, sheet_world
from tests.factories import AttendanceRecordFactory, MembershipFactory, UserFactory
from tests.web.helpers import log_in


def records_of(world) -> list[AttendanceRecord]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(AttendanceRecord).filter_by(sheet_id=world.sheet.id)))


def sign(client, world, code: str | None = None):
    return client.post(f"/attendance/sign/{world.sheet.id}", data={"code": code or world.code()})


def test_a_learner_signing_before_the_start_is_present(client):
    world = sheet_world()
    log_in(client, world.learner)
    answer = sign(client, world)
    assert answer.status_code == 302
    [record] = records_of(world)
    assert (record.learner_id, record.status) == (world.learner.id, AttendanceStatus.PRESENT)
    assert record.recorded_by == RecordedBy.CODE
    assert record.arrived_at is None
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "you are recorded present" in page


def test_a_learner_signing_after_the_grace_period_is_late_arrived_when_signing(client):
    world = sheet_world(starts_in=-timedelta(minutes=40))
    log_in(client, world.learner)
    before = utcnow()
    assert sign(client, world).status_code == 302
    [record] = records_of(world)
    assert record.status == AttendanceStatus.LATE
    assert before - timedelta(seconds=2) <= record.arrived_at <= utcnow()


def test_within_the_grace_period_is_still_present(client):
    world = sheet_world(starts_in=-timedelta(minutes=10))
    log_in(client, world.learner)
    sign(client, world)
    assert records_of(world)[0].status == AttendanceStatus.PRESENT


def test_the_qr_code_link_fills_the_code_in_and_never_signs_by_itself(client):
    world = sheet_world()
    log_in(client, world.learner)
    code = world.code()
    page = client.get(f"/attendance/sign/{world.sheet.id}?code={code}").get_data(as_text=True)
    assert f'value="{code}"' in page
    assert records_of(world) == []


def test_signing_twice_keeps_one_record_and_says_when(client):
    world = sheet_world()
    log_in(client, world.learner)
    sign(client, world)
    [first] = records_of(world)
    answer = sign(client, world)
    assert answer.status_code == 409
    assert f"You already signed this sheet at {clock(first.recorded_at)}" in answer.get_data(
        as_text=True
    )
    assert len(records_of(world)) == 1


@pytest.mark.parametrize(
    ("starts_in", "message"),
    [(timedelta(minutes=45), "Signing opens at"), (-timedelta(hours=5), "Signing closed at")],
)
def test_outside_the_window_is_refused(client, starts_in, message):
    world = sheet_world(starts_in=starts_in)
    log_in(client, world.learner)
    answer = sign(client, world)
    assert answer.status_code == 409
    assert message in answer.get_data(as_text=True)
    assert records_of(world) == []


def test_the_window_follows_the_configuration(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTENDANCE_OPENS_BEFORE_MINUTES", 60)
    world = sheet_world(starts_in=timedelta(minutes=45))
    log_in(client, world.learner)
    assert sign(client, world).status_code == 302


def test_a_closed_sheet_is_refused(client):
    world = sheet_world()
    mark_closed(world)
    log_in(client, world.learner)
    answer = sign(client, world)
    assert answer.status_code == 409
    assert "This attendance sheet is closed" in answer.get_data(as_text=True)
    assert records_of(world) == []


def test_a_wrong_code_is_refused(client):
    world = sheet_world()
    log_in(client, world.learner)
    wrong = str((int(world.code()) + 1) % 1_000_000).zfill(6)
    answer = sign(client, world, wrong)
    assert answer.status_code == 422
    assert "This code is wrong or has expired" in answer.get_data(as_text=True)
    assert records_of(world) == []


def test_a_stale_code_is_refused(client):
    world = sheet_world()
    log_in(client, world.learner)
    stale = codes.code_at(world.sheet.id, codes.step_of(utcnow()) - 2)
    assert sign(client, world, stale).status_code == 422
    assert records_of(world) == []


def test_another_sheets_code_is_refused(client):
    world, other = sheet_world(), sheet_world()
    log_in(client, world.learner)
    assert sign(client, world, other.code()).status_code == 422
    assert records_of(world) == []


def test_a_malformed_code_is_a_form_error(client):
    world = sheet_world()
    log_in(client, world.learner)
    answer = sign(client, world, "12ab")
    assert answer.status_code == 400
    assert "The code has six digits" in answer.get_data(as_text=True)


@pytest.mark.parametrize("who", ["trainer", "admin", "assessor", "other_learner", "outsider"])
def test_only_learners_of_the_cohort_reach_the_sheet(client, who):
    world = sheet_world()
    other = sheet_world()
    people = {
        "trainer": world.trainer,
        "admin": UserFactory(admin=True),
        "assessor": MembershipFactory(cohort=world.session.cohort, assessor=True).user,
        "other_learner": other.learner,
        "outsider": UserFactory(),
    }
    log_in(client, people[who])
    assert client.get(f"/attendance/sign/{world.sheet.id}").status_code == 403
    assert sign(client, world).status_code == 403
    assert records_of(world) == []


def test_an_unknown_sheet_is_not_found(client):
    world = sheet_world()
    log_in(client, world.learner)
    assert client.get(f"/attendance/sign/{world.sheet.id + 100}").status_code == 404


@pytest.mark.parametrize("trait", ["absent", "excused"])
def test_a_learner_the_trainer_marked_absent_cannot_sign_over_it(client, trait):
    world = sheet_world()
    AttendanceRecordFactory(sheet=world.sheet, learner=world.learner, **{trait: True})
    db.session.commit()
    log_in(client, world.learner)
    answer = sign(client, world)
    assert answer.status_code == 409
    assert "ask them to change it" in answer.get_data(as_text=True)
    [record] = records_of(world)
    assert record.status == AttendanceStatus(trait)


def test_wrong_codes_are_throttled_per_learner_and_sheet(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ATTENDANCE_CODE", "3 per minute")
    world = sheet_world()
    other = sheet_world()
    MembershipFactory(user=world.learner, cohort=other.session.cohort)
    log_in(client, world.learner)
    wrong = str((int(world.code()) + 1) % 1_000_000).zfill(6)
    assert [sign(client, world, wrong).status_code for _ in range(3)] == [422] * 3
    # The fourth attempt is refused before the code is looked at, even the right one.
    assert sign(client, world).status_code == 429
    assert records_of(world) == []
    # Another sheet has its own budget.
    assert sign(client, other).status_code == 302


def test_right_codes_do_not_use_the_budget(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ATTENDANCE_CODE", "1 per minute")
    world = sheet_world()
    log_in(client, world.learner)
    assert sign(client, world, "123 45x").status_code == 400
    assert sign(client, world).status_code == 302
