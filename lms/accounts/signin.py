"""Signing in, shared by both steps of a login (password, then the second factor if on).

A correct password either logs the user in (``log_user_in``: a fresh server-side session) or,
when their second factor is on, starts a pending login (``start_pending_login``) that
``lms.accounts.two_factor_views`` completes. ``safe_next_path`` keeps ``next`` on this site.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import g, request, session
from flask_login import login_user

from lms.accounts.models import User, UserSession
from lms.accounts.sessions import SESSION_KEY, start_session
from lms.core.logging import security_event
from lms.core.time import utcnow

HOME_ENDPOINT = "learning.home"
PENDING_LOGIN_KEY = "pending_login"
PENDING_LOGIN_LIFETIME = timedelta(minutes=5)


def safe_next_path(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this site, None otherwise.

    Only a relative path starting with a single ``/`` is accepted. Browsers read a backslash as
    a slash and drop tabs and newlines, so ``/\\evil.example`` or ``/\t/evil.example`` would
    leave the site: such characters are refused outright, as are schemes (``javascript:``,
    ``https:evil.example``) and hosts (``//evil.example``).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(char == "\\" or ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def log_user_in(user: User) -> UserSession:
    """Start a fresh session: drop the anonymous one (no fixation), record the new one."""
    session.clear()
    record, token = start_session(
        user, ip=request.remote_addr, user_agent=request.user_agent.string
    )
    session[SESSION_KEY] = token
    session.permanent = True  # the cookie expires with PERMANENT_SESSION_LIFETIME
    login_user(user)
    g.user_session = record
    security_event("login.success", user_id=user.id)
    return record


def start_pending_login(user: User) -> None:
    """Remember, in a fresh session, that ``user`` gave the right password five minutes ago."""
    session.clear()
    session[PENDING_LOGIN_KEY] = {
        "user_id": user.id,
        "expires": int((utcnow() + PENDING_LOGIN_LIFETIME).timestamp()),
        # Each pending login is distinct: a copy of an older cookie names another attempt.
        "nonce": secrets.token_urlsafe(16),
    }
    security_event("login.second_factor_required", user_id=user.id)
