"""The plain values a calendar feed is made of, and the stable identifiers of its events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# The right-hand part of every event's UID: fixed, so that a calendar application recognises an
# event it already has and updates it, whatever address the feed was read from.
UID_DOMAIN = "calendar.bien-vivre.lms"


def event_uid(kind: str, *ids: int | str) -> str:
    """Return the stable UID of an event: ``session-12@…``, ``deadline-4-7@…``."""
    return "-".join([kind, *(str(part) for part in ids)]) + "@" + UID_DOMAIN


@dataclass(frozen=True)
class CalendarEvent:
    """One event of a feed, already in the reader's language.

    ``starts_at`` and ``ends_at`` are aware datetimes (UTC in the database); ``ends_at`` None
    marks a moment (a deadline, a module's opening). ``modified_at`` is the last change of what
    the event says, when known (the feed's DTSTAMP and LAST-MODIFIED); ``url`` a link to join a
    remote session, ``location`` a place or that link.
    """

    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime | None = None
    description: str = ""
    location: str | None = None
    url: str | None = None
    modified_at: datetime | None = None
    categories: tuple[str, ...] = ()
