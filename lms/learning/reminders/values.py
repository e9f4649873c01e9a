"""What a domain answers when asked which reminders are due: plain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ReminderKind(StrEnum):
    DEADLINE = "deadline"  # 48 h before an assessment deadline, work not handed in (optional)
    SESSION_EVE = "session_eve"  # the day before a session, to its learners and trainers (optional)
    ABSENCE = "absence"  # to a learner recorded absent, when the sheet closes
    ABSENCE_DIGEST = "absence_digest"  # to each trainer of the session: who was absent


# The optional kinds, and the ``ReminderPreference`` column that turns each off.
OPTIONAL: dict[ReminderKind, str] = {
    ReminderKind.DEADLINE: "deadlines",
    ReminderKind.SESSION_EVE: "sessions",
}


@dataclass(frozen=True)
class Reminder:
    """One reminder for one person.

    ``subject_key`` names what it is about, and when (a moved deadline is a new subject).
    ``template`` is the mail's text template, rendered in the person's language with ``values``
    (plain values: strings, numbers, aware datetimes) and ``name`` (the person's display name);
    ``subject`` a lazy message formatted with ``subject_values``.
    """

    kind: ReminderKind
    user_id: int
    subject_key: str
    template: str
    subject: Any  # a lazy_gettext string, translated when the mail is written
    subject_values: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def optional(self) -> bool:
        return self.kind in OPTIONAL

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.kind.value, self.user_id, self.subject_key)
