"""Administration use cases and queries: users, the audit log and its export.

Queries return what a page shows in a fixed number of statements, whatever the number of rows.
Services flush, never commit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_timezone
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, exists, func, or_
from sqlalchemy.orm import contains_eager

from lms.accounts import tokens
from lms.accounts.models import AuditEvent, User, UserSession
from lms.accounts.services import record_audit_event
from lms.accounts.sessions import end_sessions
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.logging import security_event
from lms.extensions import db

USERS_PER_PAGE = 50
EVENTS_PER_PAGE = 50


def contains(text: str) -> str:
    """Return an ``ilike`` pattern matching ``text`` anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Users -----------------------------------------------------------------------------------------


@dataclass
class UserRow:
    """One line of the users list: the user, their cohorts and roles, their last login."""

    user: User
    cohorts: list[tuple[str, MembershipRole]] = field(default_factory=list)
    last_login: datetime | None = None


def user_query(
    search: str = "", role: str = "", status: str = "", territory_ids: list[int] | None = None
) -> Select:
    """Return the users matching a search (e-mail or name) and the role, status and territory
    filters (``territory_ids``: users in a cohort of those territories; None: anyone)."""
    query = db.select(User)
    if search.strip():
        pattern = contains(search.strip())
        query = query.where(
            or_(
                User.email.ilike(pattern, escape="\\"),
                User.display_name.ilike(pattern, escape="\\"),
            )
        )
    if role == "admin":
        query = query.where(User.is_admin)
    elif role in (MembershipRole.LEARNER, MembershipRole.TRAINER, MembershipRole.ASSESSOR):
        query = query.where(exists().where(Membership.user_id == User.id, Membership.role == role))
    elif role == "none":
        query = query.where(~exists().where(Membership.user_id == User.id))
    if status in ("active", "inactive"):
        query = query.where(User.is_active == (status == "active"))
    if territory_ids is not None:
        query = query.where(
            exists().where(
                Membership.user_id == User.id,
                Membership.cohort_id == Cohort.id,
                Cohort.territory_id.in_(territory_ids),
            )
        )
    return query.order_by(func.lower(User.display_name), User.id)


def user_page(query: Select, page: int) -> tuple[Pagination, list[UserRow]]:
    """Return one page of users with their cohorts and last login, in four statements."""
    pagination = db.paginate(query, page=page, per_page=USERS_PER_PAGE, error_out=False)
    rows = {user.id: UserRow(user) for user in pagination.items}
    if rows:
        for user_id, name, role in db.session.execute(
            db.select(Membership.user_id, Cohort.name, Membership.role)
            .join(Cohort, Cohort.id == Membership.cohort_id)
            .where(Membership.user_id.in_(rows))
            .order_by(Cohort.name)
        ):
            rows[user_id].cohorts.append((name, role))
        for user_id, last_login in last_logins(list(rows)).items():
            rows[user_id].last_login = last_login
    return pagination, list(rows.values())


def last_logins(user_ids: list[int]) -> dict[int, datetime]:
    """Return when each of these users last logged in, for those who ever did."""
    query = (
        db.select(UserSession.user_id, func.max(UserSession.created_at))
        .where(UserSession.user_id.in_(user_ids))
        .group_by(UserSession.user_id)
    )
    return dict(db.session.execute(query).all())


def send_reset_link(actor: User, user: User) -> None:
    """E-mail the user a link to choose a new password; audit who asked for it."""
    tokens.send_password_reset(user)
    record_audit_event(actor, "user.send_reset", user)
    security_event("user.send_reset", user_id=user.id, by_user_id=actor.id)


def end_user_sessions(actor: User, user: User) -> int:
    """Sign the user out everywhere; audit it; return how many sessions were ended."""
    ended = end_sessions(user, reason="ended by an administrator")
    record_audit_event(actor, "user.end_sessions", user, after={"sessions_ended": ended})
    security_event("user.end_sessions", user_id=user.id, by_user_id=actor.id, ended=ended)
    return ended


# Audit log -------------------------------------------------------------------------------------


@dataclass
class AuditFilters:
    """What the audit log is filtered on; empty values filter nothing."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def local_midnight(day: date) -> datetime:
    """Return the start of ``day`` in the installation's time zone, as an aware datetime."""
    # Babel hands out a pytz zone, which cannot go into ``tzinfo=``: use its zoneinfo twin.
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(str(get_timezone())))


def audit_query(filters: AuditFilters) -> Select:
    """Return the events matching ``filters``, newest first, with their actors."""
    query = (
        db.select(AuditEvent)
        .outerjoin(AuditEvent.actor)
        .options(contains_eager(AuditEvent.actor))  # the actor comes with its event
    )
    if filters.actor.strip():
        query = query.where(User.email.ilike(contains(filters.actor.strip()), escape="\\"))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.object_type.strip():
        query = query.where(AuditEvent.object_type == filters.object_type.strip())
    if filters.object_id.strip():
        query = query.where(AuditEvent.object_id == filters.object_id.strip())
    if filters.date_from:
        query = query.where(AuditEvent.created_at >= local_midnight(filters.date_from))
    if filters.date_to:  # the end date is included: up to the next midnight
        query = query.where(
            AuditEvent.created_at < local_midnight(filters.date_to + timedelta(days=1))
        )
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def audit_page(filters: AuditFilters, page: int) -> Pagination:
    """Return one page of events with their actors, in two statements."""
    return db.paginate(audit_query(filters), page=page, per_page=EVENTS_PER_PAGE, error_out=False)


def audit_actions() -> list[str]:
    """Return every action recorded in the audit log, sorted."""
    return list(db.session.scalars(db.select(AuditEvent.action).distinct().order_by("action")))


AUDIT_CSV_HEADER = (
    "time_utc",
    "actor_email",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
)


def audit_csv_rows(filters: AuditFilters) -> Iterator[tuple[object, ...]]:
    """Yield the header then one row per event matching ``filters``, fetched in batches."""
    yield AUDIT_CSV_HEADER
    events = db.session.scalars(audit_query(filters).execution_options(yield_per=500))
    for event in events:
        actor = event.actor
        yield (
            event.created_at,
            actor.email if actor else "",
            actor.display_name if actor else "",
            event.action,
            event.object_type,
            event.object_id,
            as_json(event.before),
            as_json(event.after),
        )


def as_json(value: dict | None) -> str:
    """Return a before/after value as compact JSON text ('' for none)."""
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
