"""Helpers for tests that go through pages: log in (two steps for administrators), look for
translated text, count queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pyotp
from flask_babel import gettext
from markupsafe import escape

from lms.accounts import twofactor
from lms.accounts.models import User
from lms.core.time import utcnow
from lms.extensions import db
from tests.factories import DEFAULT_PASSWORD
from tests.queries import QueryCounter

# The authenticator secret of every administrator that log_in enrols (160 bits, base32).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def log_in(client, user, password: str = DEFAULT_PASSWORD):
    """Log ``user`` in through the login form, and its second factor when asked; return the answer.

    Administrators must use a second factor: one not enrolled yet is enrolled first with
    TEST_TOTP_SECRET, so that every test logs administrators in through the real two steps.
    """
    if user.is_admin and not two_factor_enabled(user):
        enrol_two_factor(user)
    response = client.post(
        "/login", data=_with_csrf(client, "/login", email=user.email, password=password)
    )
    if response.headers.get("Location", "").startswith("/login/two-factor"):
        response = client.post(
            response.headers["Location"],
            data=_with_csrf(client, response.headers["Location"], code=unused_totp_code(user)),
        )
    return response


def _with_csrf(client, page: str, **data) -> dict[str, str]:
    """Return form data, with the page's CSRF token when protection is on."""
    if client.application.config["WTF_CSRF_ENABLED"]:
        data["csrf_token"] = csrf_token_of(client.get(page).get_data(as_text=True))
    return data


def two_factor_enabled(user) -> bool:
    """Tell whether ``user`` has the second factor on, as the database says now."""
    query = db.select(User.totp_enabled_at).filter_by(id=user.id)
    return db.session.scalar(query) is not None


def enrol_two_factor(user, secret: str = TEST_TOTP_SECRET) -> list[str]:
    """Turn the second factor on for ``user`` with ``secret``; return the recovery codes."""
    user = db.session.get(User, user.id)
    codes = twofactor.enable(user, secret, pyotp.TOTP(secret).now())
    # Leave every step free for the login that follows: enrolment is not what tests check.
    user.totp_last_used_step = None
    db.session.commit()
    return codes


def unused_totp_code(user, secret: str = TEST_TOTP_SECRET) -> str:
    """Return a code the server accepts now: a time step in the window not used yet.

    Tests log one person in several times within seconds; once the three steps of the window
    are spent, the record of the last one is cleared (replay itself is tested on its own). The
    server checks the code a moment later: in the last seconds of a step the earliest one is
    left out, since the next step would push it out of the window before it is checked.
    """
    last = db.session.scalar(db.select(User.totp_last_used_step).filter_by(id=user.id))
    moment = utcnow()
    now = twofactor.current_step(moment)
    closing = twofactor.STEP_SECONDS - moment.timestamp() % twofactor.STEP_SECONDS < 5
    earliest = now - twofactor.VALID_WINDOW + (1 if closing else 0)
    window = range(earliest, now + twofactor.VALID_WINDOW + 1)
    step = next((s for s in window if last is None or s > last), None)
    if step is None:
        db.session.execute(db.update(User).filter_by(id=user.id).values(totp_last_used_step=None))
        db.session.commit()
        step = now
    return pyotp.TOTP(secret).generate_otp(step)


def text(msgid: str, **variables) -> str:
    """Return a message as a page shows a value: translated, then HTML-escaped.

    Form errors and flashed messages are escaped like this; a message written directly in a
    template (``{{ _("...") }}`` with no variables) is not, so compare those with ``gettext``.
    """
    return str(escape(gettext(msgid, **variables)))


def form_errors(html: str) -> str:
    """Return the messages of the form-level error box of a page ('' when there is none)."""
    match = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', html, re.S)
    return " ".join(re.findall(r"<p>(.*?)</p>", match.group(1), re.S)) if match else ""


def csrf_token_of(html: str) -> str:
    """Return the first CSRF token rendered in a page."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block, starting like a fresh request would."""
    db.session.expire_all()  # no object cached from an earlier request or from the test
    with QueryCounter() as counter:
        yield counter.statements
