"""After closing, only an administrator corrects a record, with a reason: audited, new version."""

from __future__ import annotations

from lms.accounts.models import AuditEvent
from lms.attendance.models import AttendanceRecord, AttendanceSheetDocument, RecordedBy
from lms.attendance.signals import sheet_corrected
from lms.extensions import db
from tests.attendance.sheet_support import sheet_world
from tests.factories import UserFactory
from tests.web.helpers import log_in


def closed_world(client):
    world = sheet_world(2)
    log_in(client, world.trainer)
    assert client.post(f"/attendance/sessions/{world.session.id}/close").status_code == 302
    client.post("/logout")
    return world


def correct_url(world, learner) -> str:
    return f"/attendance/sessions/{world.session.id}/learners/{learner.id}/correct"


def versions(world) -> list[AttendanceSheetDocument]:
    db.session.expire_all()
    query = db.select(AttendanceSheetDocument).filter_by(sheet_id=world.sheet.id)
    return list(db.session.scalars(query.order_by(AttendanceSheetDocument.version)))


def test_an_administrator_corrects_with_a_reason_as_a_new_version(client, app):
    world = closed_world(client)
    admin = UserFactory(admin=True)
    received = []

    def receiver(sheet, record):
        received.append((sheet.id, record.learner_id))

    sheet_corrected.connect(receiver)
    try:
        with app.test_client() as other:
            log_in(other, admin)
            answer = other.post(
                correct_url(world, world.learner),
                data={
                    "status": "excused",
                    "reason": "Arrêt maladie",
                    "correction_reason": "Justificatif reçu",
                },
            )
            page = other.get(f"/attendance/sessions/{world.session.id}/sheet").get_data(
                as_text=True
            )
    finally:
        sheet_corrected.disconnect(receiver)
    assert answer.status_code == 302
    first, second = versions(world)
    assert (first.version, second.version, second.reason) == (1, 2, "Justificatif reçu")
    assert first.sha256 in page
    assert second.sha256 in page
    record = db.session.scalar(db.select(AttendanceRecord).filter_by(learner_id=world.learner.id))
    assert record.recorded_by == RecordedBy.CORRECTION
    assert record.recorder_id == admin.id
    assert record.reason == "Arrêt maladie"
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="attendance.record_correct"))
    assert event.before["status"] == "absent"
    assert event.after["status"] == "excused"
    assert event.before["reason_of_correction"] == "Justificatif reçu"
    assert event.actor_id == admin.id
    assert received == [(world.sheet.id, world.learner.id)]


def test_a_correction_without_a_reason_is_refused(client, app):
    world = closed_world(client)
    with app.test_client() as other:
        log_in(other, UserFactory(admin=True))
        answer = other.post(correct_url(world, world.learner), data={"status": "present"})
    assert answer.status_code == 400
    assert "Give the reason of the correction." in answer.get_data(as_text=True)
    assert len(versions(world)) == 1


def test_trainers_cannot_correct_a_closed_sheet(client, app):
    world = closed_world(client)
    with app.test_client() as other:
        log_in(other, world.trainer)
        answer = other.post(
            correct_url(world, world.learner), data={"status": "present", "correction_reason": "x"}
        )
    assert answer.status_code == 403
    assert len(versions(world)) == 1


def test_an_open_sheet_is_not_corrected(client):
    world = sheet_world(1)
    log_in(client, UserFactory(admin=True))
    answer = client.post(
        correct_url(world, world.learner), data={"status": "present", "correction_reason": "x"}
    )
    assert answer.status_code == 409
    assert "still open" in answer.get_data(as_text=True)
    assert versions(world) == []
