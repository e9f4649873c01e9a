"""Who administers which territory: the organisations' part of the access rules.

- a **central administrator** (``User.is_admin``) administers every territory;
- a **local administrator** administers the territories they are named for
  (``TerritoryAdministrator``), and no other: ``administered_territory_ids`` is the subquery
  every scoped list filters on, ``administers_territory`` the check of one object.

What a local administrator may do with a territory's cohorts (manage them, never decide a
certification) is said once, in ``lms.cohorts.access``.
"""

from __future__ import annotations

from functools import wraps

from flask_login import current_user
from sqlalchemy import Select, exists

from lms.accounts.models import User
from lms.accounts.permissions import deny
from lms.extensions import db
from lms.organisations.models import Territory, TerritoryAdministrator

__all__ = [
    "administered_territory_ids",
    "administers_territory",
    "is_local_admin",
    "territory_admin_required",
]


def administered_territory_ids(user: User) -> Select[tuple[int]]:
    """Return a select of the ids of the territories ``user`` administers (all for central)."""
    if user.is_admin:
        return db.select(Territory.id)
    return db.select(TerritoryAdministrator.territory_id).where(
        TerritoryAdministrator.user_id == user.id
    )


def administers_territory(user: User, territory_id: int) -> bool:
    """Tell whether ``user`` administers the territory: central (no query) or local (one)."""
    if user.is_admin:
        return True
    query = db.select(TerritoryAdministrator.id).filter_by(
        user_id=user.id, territory_id=territory_id
    )
    return bool(db.session.scalar(db.select(exists(query))))


def is_local_admin(user: User) -> bool:
    """Tell whether ``user`` is the local administrator of some territory (one query)."""
    if not user.is_authenticated or user.is_admin:
        return False
    query = db.select(TerritoryAdministrator.id).filter_by(user_id=user.id)
    return bool(db.session.scalar(db.select(exists(query))))


def territory_admin_required(view):
    """Let central and local administrators through; deny everyone else (``deny``).

    For pages that list what an administrator manages (their cohorts, their territories): the
    list itself is scoped with ``administered_territory_ids``.
    """

    @wraps(view)
    def guarded(*args, **kwargs):
        user = current_user
        if not (user.is_authenticated and (user.is_admin or is_local_admin(user))):
            deny()
        return view(*args, **kwargs)

    return guarded
