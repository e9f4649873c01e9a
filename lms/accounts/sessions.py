"""Server-side session records (SECURITY.md B7–B9).

The signed Flask cookie carries a random token; the database keeps only its SHA-256, with the
times, address and browser of the login. A request is authenticated only while its record
exists, belongs to the user, is not revoked, is younger than ``PERMANENT_SESSION_LIFETIME`` and
was used within ``SESSION_IDLE_TIMEOUT``. Revoking the record makes every copy of the cookie
useless. Services flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import joinedload

from lms.accounts.models import User, UserSession
from lms.core.time import utcnow
from lms.extensions import db

SESSION_KEY = "sid"  # key of the token in the Flask session
USER_AGENT_LENGTH = 200
# last_seen_at is written at most this often, so that most requests only read.
TOUCH_INTERVAL = timedelta(minutes=1)


def hash_token(token: str) -> str:
    """Return the SHA-256 (hex) of a random token, the only form the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    user: User, *, ip: str | None = None, user_agent: str | None = None
) -> tuple[UserSession, str]:
    """Record a new session of ``user``; return the record and the token for the cookie."""
    token = secrets.token_urlsafe(32)  # 256 random bits
    now = utcnow()
    record = UserSession(
        user=user,
        token_hash=hash_token(token),
        created_at=now,
        last_seen_at=now,
        ip=(ip or None) and ip[:45],
        user_agent=(user_agent or None) and user_agent[:USER_AGENT_LENGTH],
    )
    db.session.add(record)
    db.session.flush()
    return record, token


def find_live_session(
    token: str, *, lifetime: timedelta, idle_timeout: timedelta, now: datetime | None = None
) -> UserSession | None:
    """Return the unrevoked, unexpired record of this token (with its user), or None."""
    if not token or not isinstance(token, str):
        return None
    record = db.session.scalar(
        db.select(UserSession)
        .options(joinedload(UserSession.user))
        .filter_by(token_hash=hash_token(token))
    )
    if record is None or not is_live(record, lifetime, idle_timeout, now or utcnow()):
        return None
    return record


def is_live(
    record: UserSession, lifetime: timedelta, idle_timeout: timedelta, now: datetime
) -> bool:
    """Tell whether a record is neither revoked, too old, nor idle for too long."""
    return (
        record.revoked_at is None
        and now - record.created_at < lifetime
        and now - record.last_seen_at < idle_timeout
    )


def touch_session(record: UserSession, now: datetime | None = None) -> bool:
    """Note that the session was used; write only when the last note is a minute old."""
    now = now or utcnow()
    if now - record.last_seen_at < TOUCH_INTERVAL:
        return False
    record.last_seen_at = now
    db.session.flush()
    return True


def end_session(record: UserSession, *, reason: str) -> None:
    """Revoke one session record (already revoked ones keep their first reason)."""
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        record.revoked_reason = reason[:40]
        db.session.flush()


def end_sessions(user: User, *, keep: UserSession | None = None, reason: str) -> int:
    """Revoke the user's sessions (all, or all but ``keep``); return how many were revoked."""
    query = db.select(UserSession).filter_by(user_id=user.id, revoked_at=None)
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    records = db.session.scalars(query).all()
    for record in records:
        end_session(record, reason=reason)
    return len(records)


def live_sessions(
    user: User, *, lifetime: timedelta, idle_timeout: timedelta, now: datetime | None = None
) -> list[UserSession]:
    """Return the user's usable sessions, most recently used first."""
    now = now or utcnow()
    records = db.session.scalars(
        db.select(UserSession)
        .filter_by(user_id=user.id, revoked_at=None)
        .where(UserSession.created_at > now - lifetime)
        .where(UserSession.last_seen_at > now - idle_timeout)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()
    return list(records)
