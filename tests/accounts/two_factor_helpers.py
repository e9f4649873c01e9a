"""Helpers of the second-factor tests: codes at a given time step, pending logins, the key."""

from __future__ import annotations

import re

import pyotp

from lms.accounts import twofactor
from lms.accounts.models import RecoveryCode, User
from lms.extensions import db
from tests.factories import DEFAULT_PASSWORD
from tests.web.helpers import TEST_TOTP_SECRET


def code_at(offset: int = 0, secret: str = TEST_TOTP_SECRET) -> str:
    """Return the code of ``secret`` for the time step ``offset`` steps from now."""
    return pyotp.TOTP(secret).generate_otp(twofactor.current_step() + offset)


def wrong_code(secret: str = TEST_TOTP_SECRET) -> str:
    """Return six digits that no step near now accepts (checked, not assumed)."""
    near = {code_at(offset, secret) for offset in range(-3, 4)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near)


def start_login(client, user, *, next_path: str | None = None):
    """Post the right password of ``user``; return the answer (the second step, if enrolled)."""
    url = f"/login?next={next_path}" if next_path else "/login"
    return client.post(url, data={"email": user.email, "password": DEFAULT_PASSWORD})


def second_step(client, code: str, *, location: str = "/login/two-factor"):
    """Post a code to the second step of the pending login; return the answer."""
    return client.post(location, data={"code": code})


def logged_in_user_id(client) -> str | None:
    """Return the id Flask-Login keeps in the client's session (None when anonymous)."""
    with client.session_transaction() as session:
        return session.get("_user_id")


def key_on_page(html: str) -> str:
    """Return the secret key printed on the enrolment page, without its spaces."""
    match = re.search(r'<code class="totp-key">([A-Z2-7 ]+)</code>', html)
    return match.group(1).replace(" ", "")


def recovery_codes_on_page(html: str) -> list[str]:
    """Return the recovery codes listed on a page."""
    return re.findall(r"<li><code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code></li>", html)


def reloaded(user) -> User:
    """Return ``user`` as the database holds it now."""
    db.session.expire_all()
    return db.session.get(User, user.id)


def recovery_code_rows(user) -> list[RecoveryCode]:
    """Return the stored recovery codes of ``user``."""
    return list(db.session.scalars(db.select(RecoveryCode).filter_by(user_id=user.id)))
