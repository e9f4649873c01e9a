"""A person's choice of optional reminders (absence notices are not optional)."""

from __future__ import annotations

from lms.accounts.models import User
from lms.extensions import db
from lms.learning.reminders.models import ReminderPreference


def preference_of(user: User) -> ReminderPreference:
    """Return the person's choices; a transient row with everything on when they chose nothing."""
    preference = db.session.get(ReminderPreference, user.id)
    return preference or ReminderPreference(user_id=user.id, deadlines=True, sessions=True)


def set_preferences(user: User, *, deadlines: bool, sessions: bool) -> ReminderPreference:
    """Record the person's choices (flushes)."""
    preference = db.session.get(ReminderPreference, user.id)
    if preference is None:
        preference = ReminderPreference(user_id=user.id)
        db.session.add(preference)
    preference.deadlines = bool(deadlines)
    preference.sessions = bool(sessions)
    db.session.flush()
    return preference
