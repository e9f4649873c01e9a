"""Global administration: users, audit log, settings."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the administration pages."""
    from lms.admin.views import bp as admin_bp

    app.register_blueprint(admin_bp)
