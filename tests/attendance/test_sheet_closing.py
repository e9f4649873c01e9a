"""Closing: unmarked learners absent, the sheet frozen, PDF version 1 stored, audited, signalled."""

from __future__ import annotations

import hashlib

from lms.accounts.models import AuditEvent
from lms.attendance.models import (
    AttendanceRecord,
    AttendanceSheetDocument,
    AttendanceStatus,
    SheetState,
)
from lms.attendance.signals import sheet_closed
from lms.extensions import db
from tests.attendance.sheet_support import FAKE_PDF, sheet_world
from tests.factories import AttendanceRecordFactory, UserFactory
from tests.live import at_once, logged_in
from tests.web.helpers import log_in


def close_url(world) -> str:
    return f"/attendance/sessions/{world.session.id}/close"


def test_the_confirmation_names_who_will_be_absent(client):
    world = sheet_world(3)
    AttendanceRecordFactory(sheet=world.sheet, learner=world.learners[0])
    db.session.commit()
    log_in(client, world.trainer)
    page = client.get(close_url(world)).get_data(as_text=True)
    assert "2 learners have neither signed nor been marked" in page
    assert world.learners[1].display_name in page
    assert world.learners[0].display_name not in page


def test_closing_records_the_unmarked_absent_freezes_and_stores_the_pdf(client):
    world = sheet_world(3)
    AttendanceRecordFactory(sheet=world.sheet, learner=world.learners[0])
    db.session.commit()
    received = []

    def receiver(sheet):
        received.append(sheet)

    sheet_closed.connect(receiver)
    try:
        log_in(client, world.trainer)
        answer = client.post(close_url(world))
    finally:
        sheet_closed.disconnect(receiver)
    assert answer.status_code == 302
    db.session.expire_all()
    assert world.sheet.state == SheetState.CLOSED
    assert world.sheet.closed_by_id == world.trainer.id
    assert world.sheet.closed_at
    statuses = {
        r.learner_id: r.status
        for r in db.session.scalars(db.select(AttendanceRecord).filter_by(sheet_id=world.sheet.id))
    }
    assert statuses == {
        world.learners[0].id: AttendanceStatus.PRESENT,
        world.learners[1].id: AttendanceStatus.ABSENT,
        world.learners[2].id: AttendanceStatus.ABSENT,
    }
    [document] = db.session.scalars(db.select(AttendanceSheetDocument)).all()
    assert (document.version, document.reason) == (1, None)
    assert document.sha256 == hashlib.sha256(FAKE_PDF).hexdigest()
    assert [sheet.id for sheet in received] == [world.sheet.id]
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="attendance.sheet_close"))
    assert event.actor_id == world.trainer.id
    assert event.after["absent"] == 2


def test_the_closed_sheet_lists_its_version_and_downloads_it(client):
    world = sheet_world(1)
    log_in(client, world.trainer)
    client.post(close_url(world))
    page = client.get(f"/attendance/sessions/{world.session.id}/sheet").get_data(as_text=True)
    document = db.session.scalar(db.select(AttendanceSheetDocument))
    assert "Signed and closed by" in page
    assert document.sha256 in page
    answer = client.get(f"/attendance/sessions/{world.session.id}/documents/{document.id}")
    assert answer.status_code == 200
    assert answer.data == FAKE_PDF
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_every_write_to_a_closed_sheet_is_refused(client):
    world = sheet_world(2)
    log_in(client, world.trainer)
    client.post(close_url(world))
    again = client.post(close_url(world))
    assert again.status_code == 409
    assert "This attendance sheet is closed" in again.get_data(as_text=True)
    mark = f"/attendance/sessions/{world.session.id}/learners/{world.learner.id}/mark"
    assert client.post(mark, data={"status": "present"}).status_code == 409
    assert db.session.scalar(db.select(db.func.count(AttendanceSheetDocument.id))) == 1


def test_learners_cannot_download_the_sheet(client):
    world = sheet_world(1)
    log_in(client, world.trainer)
    client.post(close_url(world))
    document = db.session.scalar(db.select(AttendanceSheetDocument))
    for person in (world.learner, UserFactory()):
        with client.application.test_client() as other:
            log_in(other, person)
            url = f"/attendance/sessions/{world.session.id}/documents/{document.id}"
            assert other.get(url).status_code == 403


def test_a_document_of_another_session_is_not_found(client):
    world, other = sheet_world(1), sheet_world(1)
    log_in(client, other.trainer)
    client.post(close_url(other))
    document = db.session.scalar(db.select(AttendanceSheetDocument))
    with client.application.test_client() as mine:
        log_in(mine, UserFactory(admin=True))
        url = f"/attendance/sessions/{world.session.id}/documents/{document.id}"
        assert mine.get(url).status_code == 404


def test_two_trainers_closing_at_once_one_closes_the_other_gets_409(app, live_server):
    world = sheet_world(3)
    second = UserFactory()
    from tests.factories import MembershipFactory

    MembershipFactory(user=second, cohort=world.session.cohort, trainer=True)
    db.session.commit()
    browsers = [logged_in(app, live_server, user) for user in (world.trainer, second)]
    url = close_url(world)
    db.session.commit()
    answers = at_once([lambda b=b: b.post(url, {}) for b in browsers])
    assert sorted(answer.status for answer in answers) == [302, 409]
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(AttendanceSheetDocument.id))) == 1
    count = db.select(db.func.count(AttendanceRecord.id)).filter_by(sheet_id=world.sheet.id)
    assert db.session.scalar(count) == 3


def test_a_learner_signing_twice_at_once_keeps_one_record(app, live_server):
    world = sheet_world(1)
    tabs = [logged_in(app, live_server, world.learner) for _ in range(2)]
    url = f"/attendance/sign/{world.sheet.id}"
    code = world.code()
    db.session.commit()
    answers = at_once([lambda t=t: t.post(url, {"code": code}) for t in tabs])
    assert sorted(answer.status for answer in answers) == [302, 409]
    db.session.expire_all()
    count = db.select(db.func.count(AttendanceRecord.id)).filter_by(sheet_id=world.sheet.id)
    assert db.session.scalar(count) == 1
