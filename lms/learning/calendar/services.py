"""Calendar addresses (create, renew, revoke, find by token) and the feed's iCalendar text.

Services flush and never commit. ``issue_feed`` returns the only copy of the token: the caller
shows it once; the database keeps its SHA-256 only.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.cohorts.models import Cohort, CohortState, Membership, MembershipRole, ModuleCalendar
from lms.core.time import organisation_timezone, utcnow
from lms.extensions import db
from lms.learning.calendar.events import CalendarEvent, event_uid
from lms.learning.calendar.models import CalendarFeed
from lms.learning.signals import calendar_events

TOKEN_BYTES = 32  # 256 random bits
# What a token may look like (URL-safe base64 of TOKEN_BYTES): anything else is not looked up.
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{43}")
PRODUCT_ID = "-//Entrepreneur·e du bien-vivre//LMS//FR"
TIMEZONE_MARGIN = timedelta(days=366)


def hash_token(token: str) -> str:
    """Return the SHA-256 (hex) of a token: what the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    """Return the person's calendar address, or None when they have none."""
    return db.session.scalar(db.select(CalendarFeed).filter_by(user_id=user.id))


def issue_feed(user: User) -> str:
    """Create the person's calendar address, or renew it (the old token stops working at once).

    Return the new token: the only copy there will ever be.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = feed_of(user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token_sha256 = hash_token(token)
    feed.created_at = utcnow()
    db.session.flush()
    return token


def revoke_feed(user: User) -> bool:
    """Delete the person's calendar address; return whether there was one."""
    feed = feed_of(user)
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.flush()
    return True


def feed_by_token(token: str) -> CalendarFeed | None:
    """Return the address of this token, for an active person; None for every other token."""
    if not TOKEN_FORMAT.fullmatch(token):
        return None  # never reaches the database: NUL bytes, long strings, traversal...
    feed = db.session.scalar(
        db.select(CalendarFeed)
        .options(joinedload(CalendarFeed.user))
        .filter_by(token_sha256=hash_token(token))
    )
    if feed is None or not feed.user.is_active:
        return None
    return feed


def cohorts_of(user: User) -> tuple[list[Cohort], list[Cohort]]:
    """Return the cohorts (archived ones left out) where the person learns, and those they train."""
    memberships = db.session.scalars(
        db.select(Membership)
        .join(Membership.cohort)
        .options(joinedload(Membership.cohort))
        .where(Membership.user_id == user.id, Cohort.state != CohortState.ARCHIVED)
        .order_by(Cohort.id)
    )
    learner, trainer = [], []
    for membership in memberships:
        if membership.role is MembershipRole.LEARNER:
            learner.append(membership.cohort)
        elif membership.role is MembershipRole.TRAINER:
            trainer.append(membership.cohort)
    return learner, trainer


def module_window_events(
    learner_cohorts: list[Cohort], trainer_cohorts: list[Cohort]
) -> list[CalendarEvent]:
    """Return the openings and closings of the modules of the person's cohorts (one query)."""
    cohorts = {cohort.id: cohort for cohort in [*learner_cohorts, *trainer_cohorts]}
    if not cohorts:
        return []
    rows = db.session.scalars(
        db.select(ModuleCalendar)
        .options(joinedload(ModuleCalendar.module))
        .where(ModuleCalendar.cohort_id.in_(cohorts))
        .order_by(ModuleCalendar.opens_at, ModuleCalendar.id)
    )
    trained = {cohort.id for cohort in trainer_cohorts}
    events = []
    for row in rows:
        module = row.module
        values = {"code": module.code, "title": module.title, "cohort": cohorts[row.cohort_id].name}
        if row.cohort_id in trained:
            opens = _("Module opens: %(code)s · %(title)s (%(cohort)s)", **values)
            closes = _("Module closes: %(code)s · %(title)s (%(cohort)s)", **values)
        else:
            opens = _("Module opens: %(code)s · %(title)s", **values)
            closes = _("Module closes: %(code)s · %(title)s", **values)
        events.append(
            CalendarEvent(
                uid=event_uid("module-opens", row.cohort_id, module.id),
                summary=opens,
                starts_at=row.opens_at,
                categories=(_("Module"),),
            )
        )
        if row.closes_at is not None:
            events.append(
                CalendarEvent(
                    uid=event_uid("module-closes", row.cohort_id, module.id),
                    summary=closes,
                    starts_at=row.closes_at,
                    categories=(_("Module"),),
                )
            )
    return events


def feed_events(user: User, now: datetime | None = None) -> list[CalendarEvent]:
    """Return every event of the person's feed, in their language, ordered by start."""
    now = now or utcnow()
    learner_cohorts, trainer_cohorts = cohorts_of(user)
    with force_locale(user.locale):
        events = module_window_events(learner_cohorts, trainer_cohorts)
        for _receiver, answer in calendar_events.send(
            user, learner_cohorts=learner_cohorts, trainer_cohorts=trainer_cohorts, now=now
        ):
            events.extend(answer)
    return sorted(events, key=lambda event: (event.starts_at, event.uid))


def feed_ics(user: User, now: datetime | None = None) -> bytes:
    """Return the person's feed as iCalendar text, times in the organisation's time zone."""
    now = now or utcnow()
    zone = organisation_timezone()
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    with force_locale(user.locale):
        calendar.add("x-wr-calname", _("Training calendar"))
    calendar.add("x-wr-timezone", str(zone))
    events = feed_events(user, now)
    for item in events:
        calendar.add_component(_vevent(item, now, zone))
    # The time zone's rules over the years the events span (not 1970 to 2038: a shorter text).
    first = min([now, *(item.starts_at for item in events)])
    last = max([now, *((item.ends_at or item.starts_at) for item in events)])
    calendar.add_missing_timezones(
        first_date=(first - TIMEZONE_MARGIN).date(), last_date=(last + TIMEZONE_MARGIN).date()
    )
    return calendar.to_ical()


def _vevent(item: CalendarEvent, now: datetime, zone) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", (item.modified_at or now).replace(microsecond=0))
    if item.modified_at is not None:
        event.add("last-modified", item.modified_at.replace(microsecond=0))
    event.add("summary", item.summary)
    event.add("dtstart", item.starts_at.astimezone(zone).replace(microsecond=0))
    if item.ends_at is not None:
        event.add("dtend", item.ends_at.astimezone(zone).replace(microsecond=0))
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    if item.categories:
        event.add("categories", list(item.categories))
    event.add("transp", "OPAQUE" if item.ends_at is not None else "TRANSPARENT")
    return event
