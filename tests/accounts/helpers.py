"""Helpers for session tests: capture a session cookie and replay it from another browser."""

from __future__ import annotations

from lms.accounts.models import UserSession
from lms.extensions import db
from tests.web.helpers import log_in

SESSION_COOKIE = "session"


def logged_in_client(app, user, *, address: str = "127.0.0.1", user_agent: str = "Browser A"):
    """Return a new client logged in as ``user`` from ``address`` with ``user_agent``."""
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=address, HTTP_USER_AGENT=user_agent)
    response = log_in(client, user)
    assert response.headers["Location"] == "/", response.status_code
    return client


def captured_cookie(client) -> str:
    """Return the value of the client's session cookie, as an attacker would copy it."""
    return client.get_cookie(SESSION_COOKIE).value


def replay(app, cookie: str):
    """Request a logged-in page from a fresh client carrying only ``cookie``; return the answer."""
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, cookie)
    return thief.get("/account/sessions")


def is_refused(response) -> bool:
    """Tell whether a request was sent to the login page."""
    return response.headers.get("Location", "").startswith("/login?next=")


def sessions_of(user) -> list[UserSession]:
    """Return every session record of ``user``, oldest first."""
    db.session.expire_all()
    return list(
        db.session.scalars(db.select(UserSession).filter_by(user_id=user.id).order_by("id"))
    )
