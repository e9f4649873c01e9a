"""The ``accounts`` blueprint: login and logout, passwords, sessions, the second factor.

Its pages are in ``views`` and ``two_factor_views``, which both add their routes to ``bp``
(``lms.accounts.init_app`` imports them, then registers it).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)
