"""What attendance adds to calendar feeds and reminders: sessions, the day before, absences.

``session_events`` answers ``lms.learning.signals.calendar_events``: the sessions of the cohorts
where the person learns or trains, and those they lead, with the place (in person) or the link
(remote) as LOCATION (and URL), and the trainers' names in the description: the only names of
other people a feed carries.

``session_reminders`` and ``absence_reminders`` answer ``lms.learning.signals.due_reminders``:

- the day before a session (its date in the organisation's time zone is tomorrow, or today
  and it has not started), its cohort's learners and its trainers are reminded of the time and
  the place or link; a session moved to another time is a new subject, reminded again;
- when a sheet is closed, each learner recorded **absent** gets a notice, and each trainer of the
  session one digest listing them. Excused absences get none: the learner gave the reason
  themselves. Closing queues the sending after the commit (``absences_after_close``); the
  scheduled run catches up with any sheet closed in the last ``REMINDER_ABSENCE_LOOKBACK_HOURS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.attendance.models import (
    AttendanceRecord,
    AttendanceSheet,
    AttendanceStatus,
    Modality,
    SheetState,
    TrainingSession,
    session_trainers,
)
from lms.cohorts.models import Cohort, CohortState, Membership, MembershipRole
from lms.core.time import organisation_timezone
from lms.extensions import db
from lms.learning.calendar.events import CalendarEvent, event_uid
from lms.learning.reminders.services import send_after_commit
from lms.learning.reminders.values import Reminder, ReminderKind

SESSION_SUBJECT = _l("Tomorrow’s session: %(module)s, %(date)s")
ABSENCE_SUBJECT = _l("You were recorded absent: %(module)s, %(date)s")
DIGEST_SUBJECT = _l("Absences at your session: %(module)s, %(date)s")
ABSENCE_KINDS = (ReminderKind.ABSENCE, ReminderKind.ABSENCE_DIGEST)


def session_events(
    user: User,
    *,
    learner_cohorts: Iterable[Cohort],
    trainer_cohorts: Iterable[Cohort],
    **kwargs,
) -> list[CalendarEvent]:
    """Return the sessions of the person's cohorts, and those they lead (three queries)."""
    trained = {cohort.id for cohort in trainer_cohorts}
    cohort_ids = {cohort.id for cohort in learner_cohorts} | trained
    led = db.select(session_trainers.c.session_id).where(session_trainers.c.user_id == user.id)
    sessions = db.session.scalars(
        db.select(TrainingSession)
        .options(
            joinedload(TrainingSession.module),
            joinedload(TrainingSession.cohort),
            selectinload(TrainingSession.trainers),
        )
        .where(or_(TrainingSession.cohort_id.in_(cohort_ids), TrainingSession.id.in_(led)))
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    ).unique()
    events = []
    for session in sessions:
        staff = session.cohort_id in trained or any(t.id == user.id for t in session.trainers)
        values = {
            "code": session.module.code,
            "title": session.module.title,
            "cohort": session.cohort.name,
        }
        if staff:
            summary = _("Session: %(code)s · %(title)s (%(cohort)s)", **values)
        else:
            summary = _("Session: %(code)s · %(title)s", **values)
        remote = session.modality is Modality.REMOTE
        lines = [_("Remote live session") if remote else _("In-person session")]
        if remote:
            lines.append(_("Link: %(link)s", link=session.link))
        if session.trainers:
            names = ", ".join(trainer.display_name for trainer in session.trainers)
            lines.append(_("Trainers: %(names)s", names=names))
        events.append(
            CalendarEvent(
                uid=event_uid("session", session.id),
                summary=summary,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                description="\n".join(lines),
                location=session.link if remote else session.place,
                url=session.link if remote else None,
                modified_at=session.updated_at,
                categories=(_("Training session"),),
            )
        )
    return events


def _session_values(session: TrainingSession) -> dict:
    """The plain values a session's mails show."""
    return {
        "module_code": session.module.code,
        "module_title": session.module.title,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "remote": session.modality is Modality.REMOTE,
        "place": session.place,
        "link": session.link,
        "trainers": [trainer.display_name for trainer in session.trainers],
    }


def session_reminders(now: datetime, *, kinds=None, **kwargs) -> list[Reminder]:
    """Return the reminders of today's and tomorrow's sessions not started (three queries)."""
    if kinds is not None and ReminderKind.SESSION_EVE not in kinds:
        return []
    zone = organisation_timezone()
    today = now.astimezone(zone).date()
    until = datetime.combine(today + timedelta(days=2), time(0), tzinfo=zone)
    sessions = list(
        db.session.scalars(
            db.select(TrainingSession)
            .join(TrainingSession.cohort)
            .options(joinedload(TrainingSession.module), selectinload(TrainingSession.trainers))
            .where(
                TrainingSession.starts_at > now,
                TrainingSession.starts_at < until,
                Cohort.state == CohortState.ACTIVE,
            )
        ).unique()
    )
    if not sessions:
        return []
    learners: dict[int, list[int]] = {}
    for user_id, cohort_id in db.session.execute(
        db.select(Membership.user_id, Membership.cohort_id).where(
            Membership.role == MembershipRole.LEARNER,
            Membership.cohort_id.in_({session.cohort_id for session in sessions}),
        )
    ).tuples():
        learners.setdefault(cohort_id, []).append(user_id)
    reminders = []
    for session in sessions:
        values = _session_values(session)
        key = f"session:{session.id}:{session.starts_at:%Y-%m-%dT%H:%M}"
        people = {*learners.get(session.cohort_id, []), *(t.id for t in session.trainers)}
        for user_id in sorted(people):
            reminders.append(
                Reminder(
                    kind=ReminderKind.SESSION_EVE,
                    user_id=user_id,
                    subject_key=key,
                    template="attendance/mail/session_reminder.txt",
                    subject=SESSION_SUBJECT,
                    subject_values={
                        "module": session.module.code,
                        "date": session.starts_at,
                    },
                    values=values,
                )
            )
    return reminders


def absence_reminders(now: datetime, *, kinds=None, **kwargs) -> list[Reminder]:
    """Return the notices of absences on sheets closed lately (four queries)."""
    if kinds is not None and not set(ABSENCE_KINDS) & set(kinds):
        return []
    since = now - timedelta(hours=current_app.config["REMINDER_ABSENCE_LOOKBACK_HOURS"])
    sheets = db.session.scalars(
        db.select(AttendanceSheet)
        .options(
            joinedload(AttendanceSheet.session).joinedload(TrainingSession.module),
            joinedload(AttendanceSheet.session).selectinload(TrainingSession.trainers),
            selectinload(AttendanceSheet.records).joinedload(AttendanceRecord.learner),
        )
        .where(AttendanceSheet.state == SheetState.CLOSED, AttendanceSheet.closed_at >= since)
        .order_by(AttendanceSheet.id)
    ).unique()
    reminders = []
    for sheet in sheets:
        session = sheet.session
        absent = sorted(
            (r.learner for r in sheet.records if r.status is AttendanceStatus.ABSENT),
            key=lambda learner: (learner.display_name.casefold(), learner.id),
        )
        if not absent:
            continue
        values = _session_values(session)
        subject_values = {"module": session.module.code, "date": session.starts_at}
        key = f"sheet:{sheet.id}"
        for learner in absent:
            reminders.append(
                Reminder(
                    kind=ReminderKind.ABSENCE,
                    user_id=learner.id,
                    subject_key=key,
                    template="attendance/mail/absence.txt",
                    subject=ABSENCE_SUBJECT,
                    subject_values=subject_values,
                    values=values,
                )
            )
        names = [learner.display_name for learner in absent]
        for trainer in session.trainers:
            reminders.append(
                Reminder(
                    kind=ReminderKind.ABSENCE_DIGEST,
                    user_id=trainer.id,
                    subject_key=key,
                    template="attendance/mail/absence_digest.txt",
                    subject=DIGEST_SUBJECT,
                    subject_values=subject_values,
                    values={**values, "absent": names},
                )
            )
    return reminders


def absences_after_close(sheet: AttendanceSheet, **kwargs) -> None:
    """When a sheet closes, send its absence notices once the closing is committed."""
    send_after_commit(db.session(), ABSENCE_KINDS)
