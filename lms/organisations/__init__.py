"""Organisations: the organisation that certifies and its territories (DESIGN.md §9).

This domain sits between accounts and curriculum: a cohort belongs to a territory, and the
territories' local administrators are scoped to theirs (``lms.organisations.access``; what they
may do with a cohort is said in ``lms.cohorts.access``). ``init_app`` registers its pages.
"""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user


def init_app(app: Flask) -> None:
    """Register the organisation's and territories' pages, and what the navigation asks."""
    from lms.organisations.manage import bp

    app.register_blueprint(bp)
    app.context_processor(_navigation_context)


def administers_some_territory() -> bool:
    """Tell whether the current user is a local administrator (once per request).

    The navigation asks it of everyone but central administrators, who administer every
    territory and have their own entry. The query that reads the user's cohort roles for the
    navigation (``lms.learning.views.membership_roles``) answers it too (``remember_local_admin``):
    then it costs no query of its own.
    """
    from lms.organisations.access import is_local_admin

    if "local_admin" not in g:
        g.local_admin = is_local_admin(current_user)
    return g.local_admin


def remember_local_admin(is_local_admin: bool) -> None:
    """Record, for this request, whether the current user is a local administrator."""
    g.local_admin = is_local_admin


def _navigation_context() -> dict[str, object]:
    """Let the layout ask whether to show « My territories » (only when it draws the link)."""
    return {"administers_some_territory": administers_some_territory}
