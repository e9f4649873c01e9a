"""Attendance's reminders: the day before a session, and absence notices when a sheet closes."""

from __future__ import annotations

from datetime import timedelta

from lms.attendance.models import SheetState
from lms.attendance.signals import sheet_closed
from lms.core.time import utcnow
from lms.core.transactions import unit_of_work
from lms.extensions import db
from lms.learning.reminders.models import ReminderPreference, SentReminder
from lms.learning.reminders.services import send_due_reminders
from tests.factories import (
    AttendanceRecordFactory,
    AttendanceSheetFactory,
    MembershipFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.learning.calendar_world import make_calendar_world
from tests.smtp import body_of


def sheet_with_records(world):
    """An open sheet of the world's session: learner absent, two others present and excused."""
    present, excused = (
        UserFactory(display_name="Paul Présent"),
        UserFactory(display_name="Eva Excusée"),
    )
    for user in (present, excused):
        MembershipFactory(user=user, cohort=world.cohort)
    second_trainer = UserFactory(display_name="Sonia Seconde")
    world.session.trainers.append(second_trainer)
    sheet = AttendanceSheetFactory(session=world.session)
    AttendanceRecordFactory(sheet=sheet, learner=world.learner, absent=True)
    AttendanceRecordFactory(sheet=sheet, learner=present)
    AttendanceRecordFactory(sheet=sheet, learner=excused, excused=True)
    db.session.commit()
    return sheet, second_trainer


def close(sheet, trainer) -> None:
    """Close the sheet as the closing service does: flush, then tell the other domains."""
    sheet.state = SheetState.CLOSED
    sheet.closed_at = utcnow()
    sheet.closed_by = trainer
    db.session.flush()
    sheet_closed.send(sheet)


def test_closing_a_sheet_sends_the_absence_notices_after_the_commit(smtp_server):
    world = make_calendar_world()
    sheet, second_trainer = sheet_with_records(world)
    with unit_of_work():
        close(sheet, world.trainer)
        assert smtp_server == []  # nothing before the commit
    to = sorted(m["To"] for m in smtp_server)
    assert to == sorted([world.learner.email, world.trainer.email, second_trainer.email])
    [notice] = [m for m in smtp_server if m["To"] == world.learner.email]
    assert str(notice["Subject"]).startswith("You were recorded absent: M1, ")
    assert "cannot be turned off" in body_of(notice)
    [digest] = [m for m in smtp_server if m["To"] == world.trainer.email]
    body = body_of(digest)
    assert "Aurore Alpha" in body
    assert "Eva Excusée" not in body  # excused: the learner gave the reason
    assert "Paul Présent" not in body
    assert "Learners recorded absent (1):" in body


def test_a_rolled_back_closing_sends_nothing(smtp_server):
    world = make_calendar_world()
    sheet, _second = sheet_with_records(world)
    try:
        with unit_of_work():
            close(sheet, world.trainer)
            raise RuntimeError("the PDF could not be written")
    except RuntimeError:
        pass
    assert smtp_server == []
    db.session.commit()  # a later commit does not send the forgotten notices either
    assert smtp_server == []


def test_the_scheduled_run_sends_no_notice_twice_and_catches_up(smtp_server):
    world = make_calendar_world()
    sheet, _second = sheet_with_records(world)
    with unit_of_work():
        close(sheet, world.trainer)
    sent = len(smtp_server)
    assert send_due_reminders(["absence", "absence_digest"]) == 0
    # A sheet closed without its notices (the queue was down) is caught up by the next run.
    other = AttendanceSheetFactory(
        session=TrainingSessionFactory(cohort=world.cohort, module=world.module),
        closed=True,
    )
    AttendanceRecordFactory(sheet=other, learner=world.learner, absent=True)
    # One closed three days ago is left alone.
    old = AttendanceSheetFactory(
        session=TrainingSessionFactory(cohort=world.cohort, module=world.module),
        closed=True,
        closed_at=utcnow() - timedelta(days=3),
    )
    AttendanceRecordFactory(sheet=old, learner=world.learner, absent=True)
    db.session.commit()
    assert send_due_reminders(["absence", "absence_digest"]) == 1  # no trainer on that session
    assert len(smtp_server) == sent + 1
    keys = set(db.session.scalars(db.select(SentReminder.subject_key).filter_by(kind="absence")))
    assert keys == {f"sheet:{sheet.id}", f"sheet:{other.id}"}


def test_absence_notices_are_not_optional(smtp_server):
    world = make_calendar_world()
    db.session.add(ReminderPreference(user_id=world.learner.id, deadlines=False, sessions=False))
    sheet, _second = sheet_with_records(world)
    with unit_of_work():
        close(sheet, world.trainer)
    assert world.learner.email in {m["To"] for m in smtp_server}


def test_the_session_reminder_says_when_where_and_who(smtp_server):
    world = make_calendar_world()
    send_due_reminders(["session_eve"])
    [message] = [m for m in smtp_server if m["To"] == world.learner.email]
    assert str(message["Subject"]).startswith("Tomorrow’s session: M1, ")
    body = body_of(message)
    assert world.session.place in body
    assert "Théo Formateur" in body
    assert "To stop them" in body
    # Trainers of the session are reminded too; the other cohort's session reaches its learner.
    assert world.trainer.email in {m["To"] for m in smtp_server}
    assert world.other_learner.email in {m["To"] for m in smtp_server}


def test_a_remote_session_reminder_gives_the_link(smtp_server):
    world = make_calendar_world()
    world.remote_session.starts_at = world.session.starts_at + timedelta(hours=5)
    world.remote_session.ends_at = world.session.starts_at + timedelta(hours=8)
    db.session.commit()
    send_due_reminders(["session_eve"])
    bodies = [body_of(m) for m in smtp_server if m["To"] == world.learner.email]
    assert any(world.remote_session.link in body for body in bodies)
    assert len(bodies) == 2


def test_a_rescheduled_session_is_reminded_again():
    world = make_calendar_world()
    assert send_due_reminders(["session_eve"]) == 3
    world.session.starts_at += timedelta(hours=2)
    world.session.ends_at += timedelta(hours=2)
    db.session.commit()
    assert send_due_reminders(["session_eve"]) == 2  # learner and trainer, again


def test_sessions_further_than_tomorrow_or_started_get_no_reminder():
    world = make_calendar_world()
    world.session.starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert send_due_reminders(["session_eve"]) == 1  # only the other cohort's session
