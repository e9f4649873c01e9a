"""Password links: reset and invitation e-mails with single-use tokens (SECURITY.md A4).

A token has 256 random bits; the database keeps its SHA-256 only, with an expiry (reset: 60
minutes, invitation: 7 days) and a fingerprint of the password hash at issue time, so that any
password change voids every outstanding link. A token is never logged: it appears only in the
e-mail body (which a development instance without MAIL_SERVER writes to its log, on purpose).
Services flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from lms.accounts.models import PasswordToken, TokenPurpose, User
from lms.accounts.passwords import password_problems
from lms.accounts.services import AccountError, find_user_by_email
from lms.accounts.sessions import end_sessions, hash_token
from lms.core.mail import MailError, send_mail
from lms.core.time import utcnow
from lms.extensions import db

LIFETIMES = {
    TokenPurpose.RESET: timedelta(minutes=60),
    TokenPurpose.INVITATION: timedelta(days=7),
}
# Key of the Flask session under which the reset page keeps the token of the link it came from.
RESET_SESSION_KEY = "reset_token"
SUBJECTS = {
    TokenPurpose.RESET: _l("Reset your password"),
    TokenPurpose.INVITATION: _l("Your account is ready: choose your password"),
}


def password_fingerprint(user: User) -> str:
    """Return a digest of the user's current password hash (it changes with every new hash)."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()


def issue_token(user: User, purpose: TokenPurpose) -> str:
    """Record a new single-use token for ``user`` and return it (the only clear copy)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        PasswordToken(
            user=user,
            purpose=purpose,
            token_hash=hash_token(token),
            password_fingerprint=password_fingerprint(user),
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    db.session.flush()
    return token


def find_usable_token(token: str) -> PasswordToken | None:
    """Return the record of an unused, unexpired token of an active user, else None."""
    if not token or len(token) > 100:
        return None
    record = db.session.scalar(db.select(PasswordToken).filter_by(token_hash=hash_token(token)))
    if (
        record is None
        or record.used_at is not None
        or record.expires_at <= utcnow()
        or not record.user.is_active
        or record.password_fingerprint != password_fingerprint(record.user)
    ):
        return None
    return record


def send_password_reset(user: User) -> None:
    """E-mail ``user`` a link to choose a new password, valid 60 minutes and once."""
    _send_link(user, TokenPurpose.RESET)


def send_invitation(user: User, *, invited_by: User | None = None) -> None:
    """E-mail ``user`` a link to set their first password, valid 7 days and once."""
    _send_link(user, TokenPurpose.INVITATION, inviter=invited_by)


def request_password_reset(email: str) -> None:
    """Send a reset link when an active account has this e-mail; do similar work otherwise.

    The answer to the visitor never depends on the outcome (no account enumeration), so a mail
    failure is logged, not raised.
    """
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        _simulate_reset()
        return
    try:
        send_password_reset(user)
    except MailError:
        current_app.logger.error("password_reset.mail_failed user_id=%s", user.id)


def _simulate_reset() -> None:
    """Spend the work of a real reset (token, digests, rendering), minus the database row."""
    token = secrets.token_urlsafe(32)
    hash_token(token)
    password_fingerprint(User(password_hash=""))
    render_template(
        "accounts/email/reset.txt", user=User(display_name=""), link=token, minutes=60, days=0
    )


def reset_password(record: PasswordToken, new_password: str) -> User:
    """Set the password through a token: policy checked, token used, every session ended."""
    user = record.user
    problems = password_problems(new_password, email=user.email)
    if problems:
        raise AccountError(" ".join(problems))
    user.set_password(new_password)
    record.used_at = utcnow()
    end_sessions(user, reason="password_reset")
    db.session.flush()
    return user


def _send_link(user: User, purpose: TokenPurpose, *, inviter: User | None = None) -> None:
    """Issue a token, then e-mail its link to the user, in the user's language."""
    link = link_to("accounts.reset_password", token=issue_token(user, purpose))
    lifetime = LIFETIMES[purpose]
    with force_locale(user.locale):
        body = render_template(
            f"accounts/email/{purpose.value}.txt",
            user=user,
            link=link,
            inviter=inviter,
            minutes=int(lifetime.total_seconds() // 60),
            days=lifetime.days,
        )
        send_mail(user.email, str(SUBJECTS[purpose]), body)


def link_to(endpoint: str, **values) -> str:
    """Return an absolute link on ``BASE_URL``; without it, on the request's host (development).

    Production requires ``BASE_URL`` with mail (lms.config): the Host header is the client's
    choice, and a reset link must never point elsewhere.
    """
    base_url = current_app.config.get("BASE_URL")
    if not base_url:
        return (
            url_for(endpoint, _external=True, **values)
            if has_request_context()
            else ("http://localhost" + _path_of(endpoint, values))
        )
    parts = urlsplit(base_url)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def _path_of(endpoint: str, values: dict) -> str:
    """Return the path of an endpoint without needing a request."""
    return current_app.url_map.bind("localhost").build(endpoint, values)
