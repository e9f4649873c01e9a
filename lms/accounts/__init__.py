"""Users, authentication, sessions, permissions predicates and the audit trail."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the ``accounts`` pages, their per-request checks and the account commands."""
    from lms.accounts import two_factor_views, views
    from lms.accounts.blueprint import bp
    from lms.accounts.cli import create_admin_command, reset_two_factor_command

    # Authenticate the request (and note the session's use) first, then keep an administrator
    # without the second factor on its enrolment page.
    app.before_request(views.note_activity)
    app.before_request(two_factor_views.confine_administrators)
    app.register_blueprint(bp)  # the routes of views and two_factor_views
    app.cli.add_command(create_admin_command)
    app.cli.add_command(reset_two_factor_command)
