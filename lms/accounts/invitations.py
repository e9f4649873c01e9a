"""Invited accounts: created without a password, their owner sets one from the e-mailed link.

Administrators invite staff this way; cohort and jury pages invite external assessors and jury
members, whose role then comes from their cohort or their jury.
"""

from __future__ import annotations

from lms.accounts import tokens
from lms.accounts.models import User
from lms.accounts.services import create_user, record_audit_event
from lms.core.logging import security_event


def invite_account(
    actor: User, *, email: str, display_name: str, locale: str, is_admin: bool = False
) -> User:
    """Create an account without a password, audit it and e-mail an invitation to set one."""
    user = create_user(email, display_name, is_admin=is_admin, locale=locale)
    record_audit_event(
        actor,
        "user.create",
        user,
        after={"email": user.email, "display_name": user.display_name, "is_admin": is_admin},
    )
    tokens.send_invitation(user, invited_by=actor)
    security_event("user.create", user_id=user.id, by_user_id=actor.id, is_admin=is_admin)
    return user
