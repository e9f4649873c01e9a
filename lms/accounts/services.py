"""Account use cases. Services flush, never commit."""

from __future__ import annotations

import secrets
from functools import cache
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import (
    PASSWORD_HASH_METHOD,
    AuditEvent,
    User,
    UserSession,
    normalise_email,
)
from lms.accounts.passwords import password_problems
from lms.accounts.sessions import end_sessions
from lms.core.logging import security_event
from lms.core.text import text_problem
from lms.core.transactions import DomainError
from lms.extensions import db


class AccountError(DomainError):
    """An account operation was refused; the message says why."""


@cache
def _dummy_hash() -> str:
    """Return a hash of a random password, checked when no real hash exists (similar timing)."""
    return generate_password_hash(secrets.token_urlsafe(16), method=PASSWORD_HASH_METHOD)


def check_credentials(email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, or None, in similar time."""
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        # Spend the time a real check takes, so unknown e-mails cannot be told apart.
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def find_user_by_email(email: str) -> User | None:
    """Return the user with this e-mail address, whatever its case."""
    return db.session.scalar(db.select(User).filter_by(email=normalise_email(email)))


def create_user(
    email: str,
    display_name: str,
    password: str | None = None,
    *,
    is_admin: bool = False,
    locale: str = "fr",
) -> User:
    """Create a user; refuse an e-mail address that is already taken, or a name unfit to print."""
    if problem := text_problem(display_name):
        raise AccountError(problem)
    if find_user_by_email(email) is not None:
        raise AccountError(f"an account already exists for {normalise_email(email)}")
    user = User(
        email=normalise_email(email),
        display_name=display_name.strip(),
        is_admin=is_admin,
        locale=locale,
    )
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def record_audit_event(
    actor: User | None,
    action: str,
    obj: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event about ``obj`` (a model instance) done by ``actor``."""
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "id", "")) or None,
        before=before,
        after=after,
    )
    db.session.add(event)
    db.session.flush()
    return event


def set_admin(actor: User, user: User, is_admin: bool) -> None:
    """Grant or revoke administrator rights; never to or for oneself; audited."""
    if actor.id == user.id:
        raise AccountError(_("You cannot change your own administrator rights."))
    if user.is_admin == is_admin:
        return
    user.is_admin = is_admin
    action = "user.grant_admin" if is_admin else "user.revoke_admin"
    record_audit_event(
        actor, action, user, before={"is_admin": not is_admin}, after={"is_admin": is_admin}
    )
    security_event(action, user_id=user.id, by_user_id=actor.id)
    if not is_admin:
        # The privilege drop takes effect now, not when the user's cookie expires.
        end_sessions(user, reason="administrator rights revoked")


def update_user(actor: User, user: User, *, email: str, display_name: str, locale: str) -> None:
    """Change a user's e-mail address, name and language; audit what changed."""
    email, display_name = normalise_email(email), display_name.strip()
    if not email or not display_name:
        raise AccountError(_("The e-mail address and the name are required."))
    if problem := text_problem(display_name):
        raise AccountError(problem)
    if locale not in current_app.config["LANGUAGES"]:
        raise AccountError(_("Unknown language: %(locale)s.", locale=locale))
    owner = find_user_by_email(email)
    if owner is not None and owner.id != user.id:
        raise AccountError(_("Another account already uses this e-mail address."))
    wanted = {"email": email, "display_name": display_name, "locale": locale}
    before = {name: getattr(user, name) for name in wanted}
    changed = {name: value for name, value in wanted.items() if before[name] != value}
    if not changed:
        return
    for name, value in changed.items():
        setattr(user, name, value)
    record_audit_event(
        actor, "user.update", user, before={name: before[name] for name in changed}, after=changed
    )
    security_event("user.update", user_id=user.id, by_user_id=actor.id, fields=sorted(changed))


def change_password(
    user: User, new_password: str, *, current_session: UserSession | None = None
) -> None:
    """Set a new password that meets the policy, then end every other session of the user."""
    problems = password_problems(new_password, email=user.email)
    if problems:
        raise AccountError(" ".join(problems))
    user.set_password(new_password)
    end_sessions(user, keep=current_session, reason="password_changed")
    db.session.flush()


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate or reactivate an account; deactivation ends all its sessions. Audited."""
    if actor.id == user.id and not active:
        raise AccountError(_("You cannot deactivate your own account."))
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        end_sessions(user, reason="deactivated")
    record_audit_event(
        actor,
        "user.reactivate" if active else "user.deactivate",
        user,
        before={"is_active": not active},
        after={"is_active": active},
    )
