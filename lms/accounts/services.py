"""Account use cases. Services flush, never commit."""

from __future__ import annotations

from typing import Any

from lms.accounts.models import AuditEvent, User, normalise_email
from lms.extensions import db


class AccountError(Exception):
    """An account operation was refused; the message says why."""


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
    """Create a user; refuse an e-mail address that is already taken."""
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
