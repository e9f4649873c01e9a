"""Access-control foundations.

Convention (SECURITY.md C): a denied request from an **anonymous** visitor is redirected to the
login page (with ``next`` set to where they were going); a denied request from an
**authenticated** user gets **403**, with none of the protected data in the body. Objects that do
not exist give 404. Every view uses one of these decorators, or ``deny()`` after its own check.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, NoReturn, TypeVar

from flask import abort, current_app
from flask_login import current_user, login_required

from lms.extensions import db

if TYPE_CHECKING:
    from sqlalchemy.orm.interfaces import ORMOption

    from lms.accounts.models import User

__all__ = ["acting_user", "admin_required", "deny", "loaded_or_404", "login_required"]

Loaded = TypeVar("Loaded")


def acting_user() -> User:
    """Return the logged-in person as a plain model instance (not the proxy)."""
    return current_user._get_current_object()


def deny() -> NoReturn:
    """Refuse the request: login redirect for anonymous visitors, 403 for everyone else."""
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    abort(403)


def loaded_or_404(model: type[Loaded], object_id: int, *options: ORMOption) -> Loaded:
    """Return the ``model`` row of the URL's id, ``options`` loaded in the same query.

    Anonymous visitors are sent to log in before anything is looked up, so that an unknown id and
    a forbidden one answer them alike; a signed-in person gets 404 for an unknown id. The
    caller then applies its own rule (``deny()`` or ``lms.cohorts.access.deny_cohort``).
    """
    if not current_user.is_authenticated:
        deny()
    query = db.select(model).options(*options).where(model.id == object_id)  # type: ignore[attr-defined]
    found = db.session.execute(query).unique().scalar_one_or_none()
    if found is None:
        abort(404)
    return found


def admin_required(view):
    """Let administrators through; deny everyone else (see the module's convention)."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not (current_user.is_authenticated and current_user.is_admin):
            deny()
        return view(*args, **kwargs)

    return guarded
