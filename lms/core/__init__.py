"""Domain-free helpers: errors, time, database types, security headers, health, jobs."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install security, the health endpoint, the error pages and the ``lms worker`` command."""
    from lms.core.errors import register_error_handlers
    from lms.core.health import bp as health_bp
    from lms.core.jobs import worker_command
    from lms.core.security import init_security, install_url_converters

    install_url_converters(app)  # before any blueprint adds a rule
    init_security(app)
    app.register_blueprint(health_bp)
    # Error pages: 400 to 429 explain, 500 shows a correlation id.
    register_error_handlers(app)
    app.cli.add_command(worker_command)
