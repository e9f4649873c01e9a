"""Which reminders are due, and sending each one exactly once.

``send_due_reminders`` is a job (``lms.core.jobs``): it takes plain values, commits its own work,
one transaction per reminder, and returns how many messages left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.accounts.tokens import link_to
from lms.core.formatting import format_moment
from lms.core.jobs import JobError, enqueue
from lms.core.mail import MailError, send_mail
from lms.core.time import utcnow
from lms.extensions import db
from lms.learning.reminders.models import ReminderPreference, SentReminder
from lms.learning.reminders.values import OPTIONAL, Reminder, ReminderKind
from lms.learning.signals import due_reminders as due_reminders_signal

FOOTER_TEMPLATE = "learning/reminders/mail/footer.txt"
# Kinds a closed session.info transaction asks to send once committed (``send_after_commit``).
AFTER_COMMIT = "lms.reminders.after_commit"


@dataclass(frozen=True)
class Recipient:
    """What a message needs of its recipient, read before sending (plain values)."""

    id: int
    email: str
    name: str
    locale: str


def due_reminders(now: datetime, kinds: Iterable[str] | None = None) -> list[Reminder]:
    """Return the reminders due at ``now`` and not sent yet, for active people who want them."""
    wanted = {ReminderKind(kind) for kind in kinds} if kinds is not None else None
    answers = due_reminders_signal.send(now, kinds=wanted)
    reminders = {
        reminder.key: reminder
        for _receiver, answer in answers
        for reminder in answer
        if wanted is None or reminder.kind in wanted
    }
    if not reminders:
        return []
    user_ids = {reminder.user_id for reminder in reminders.values()}
    sent = set(
        db.session.execute(
            db.select(SentReminder.kind, SentReminder.user_id, SentReminder.subject_key).where(
                SentReminder.user_id.in_(user_ids),
                SentReminder.kind.in_({reminder.kind.value for reminder in reminders.values()}),
            )
        ).tuples()
    )
    active = set(
        db.session.scalars(db.select(User.id).where(User.id.in_(user_ids), User.is_active))
    )
    preferences = {
        preference.user_id: preference
        for preference in db.session.scalars(
            db.select(ReminderPreference).where(ReminderPreference.user_id.in_(user_ids))
        )
    }
    due = [
        reminder
        for key, reminder in reminders.items()
        if key not in sent
        and reminder.user_id in active
        and _wanted(reminder, preferences.get(reminder.user_id))
    ]
    return sorted(due, key=lambda reminder: reminder.key)


def _wanted(reminder: Reminder, preference: ReminderPreference | None) -> bool:
    """Say whether the person wants this reminder: optional kinds can be turned off."""
    column = OPTIONAL.get(reminder.kind)
    return column is None or preference is None or bool(getattr(preference, column))


def recipients(user_ids: Iterable[int]) -> dict[int, Recipient]:
    """Return the recipients of these people, by id (one query)."""
    users = db.session.scalars(db.select(User).where(User.id.in_(set(user_ids))))
    return {
        user.id: Recipient(user.id, user.email, user.display_name, user.locale) for user in users
    }


def render_reminder(reminder: Reminder, recipient: Recipient) -> tuple[str, str]:
    """Return the subject and text of the reminder, in the recipient's language."""
    with force_locale(recipient.locale):
        values = {
            name: format_moment(value, "medium") if isinstance(value, datetime) else value
            for name, value in reminder.subject_values.items()
        }
        subject = str(reminder.subject) % values
        body = render_template(reminder.template, name=recipient.name, **reminder.values)
        footer = render_template(
            FOOTER_TEMPLATE,
            optional=reminder.optional,
            preferences_link=link_to("reminders.preferences"),
        )
    return subject, body.rstrip() + "\n\n" + footer.strip() + "\n"


def send_reminder(reminder: Reminder, recipient: Recipient) -> bool:
    """Send one reminder unless it was sent already; return whether a message left.

    The row is inserted and flushed first: a concurrent run inserting the same row waits for
    this transaction (PostgreSQL) and then fails on the unique constraint. The message is sent
    before the commit; if the server refuses it, the row is rolled back for the next run.
    """
    db.session.add(
        SentReminder(
            kind=reminder.kind.value,
            user_id=reminder.user_id,
            subject_key=reminder.subject_key,
            sent_at=utcnow(),
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # sent by another run meanwhile
        return False
    subject, body = render_reminder(reminder, recipient)
    try:
        send_mail(recipient.email, subject, body)
    except MailError:
        db.session.rollback()
        current_app.logger.warning(
            "reminder.failed kind=%s user=%s subject=%s",
            reminder.kind.value,
            reminder.user_id,
            reminder.subject_key,
        )
        return False
    db.session.commit()
    current_app.logger.info(
        "reminder.sent kind=%s user=%s subject=%s",
        reminder.kind.value,
        reminder.user_id,
        reminder.subject_key,
    )
    return True


def send_due_reminders(kinds: list[str] | None = None) -> int:
    """Send every reminder due now (of ``kinds``, or all); return how many messages left (a job)."""
    reminders = due_reminders(utcnow(), kinds)
    people = recipients(reminder.user_id for reminder in reminders)
    db.session.rollback()  # end the reading transaction: each reminder has its own
    return sum(send_reminder(reminder, people[reminder.user_id]) for reminder in reminders)


def send_after_commit(session: Session, kinds: Iterable[ReminderKind]) -> None:
    """Queue a run of these kinds once the session's transaction commits (nothing on rollback)."""
    session.info.setdefault(AFTER_COMMIT, set()).update(kind.value for kind in kinds)


def _run_after_commit(session: Session) -> None:
    kinds = session.info.pop(AFTER_COMMIT, None)
    if kinds:
        try:
            enqueue(send_due_reminders, sorted(kinds), queue="mail")
        except JobError:  # the next scheduled run sends them
            current_app.logger.exception("reminders: cannot reach the job queue")


def _forget_on_rollback(session: Session) -> None:
    session.info.pop(AFTER_COMMIT, None)


def connect() -> None:
    """Listen to every session's commits and rollbacks (once, however often it is called)."""
    for name, listener in (
        ("after_commit", _run_after_commit),
        ("after_rollback", _forget_on_rollback),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
