"""Access-control foundations.

Convention (SECURITY.md C): a denied request from an **anonymous** visitor is redirected to the
login page (with ``next`` set to where they were going); a denied request from an
**authenticated** user gets **403**, with none of the protected data in the body. Objects that do
not exist give 404. Every view uses one of these decorators, or ``deny()`` after its own check.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, NoReturn

from flask import abort, current_app
from flask_login import current_user, login_required

if TYPE_CHECKING:
    from lms.accounts.models import User

__all__ = ["acting_user", "admin_required", "deny", "login_required"]


def acting_user() -> User:
    """Return the logged-in person as a plain model instance (not the proxy)."""
    return current_user._get_current_object()


def deny() -> NoReturn:
    """Refuse the request: login redirect for anonymous visitors, 403 for everyone else."""
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    abort(403)


def admin_required(view):
    """Let administrators through; deny everyone else (see the module's convention)."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not (current_user.is_authenticated and current_user.is_admin):
            deny()
        return view(*args, **kwargs)

    return guarded
