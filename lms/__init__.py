"""The certifying-path LMS: ``create_app`` builds the Flask application."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI, error handlers."""
    import os

    from lms.config import load_config

    app = Flask(
        __name__,
        instance_path=os.environ.get("LMS_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    if config and "INSTANCE_PATH" in config:
        app.instance_path = str(config["INSTANCE_PATH"])
    load_config(app, config)
    # Like the Flask tutorial: the instance folder holds the SQLite file, uploads and PDFs.
    os.makedirs(app.instance_path, exist_ok=True)
    _import_models()
    _init_extensions(app)
    _init_security(app)
    _trust_proxies(app)
    _register_blueprints(app)
    _register_commands(app)
    _register_error_handlers(app)
    return app


def _import_models() -> None:
    """Import every domain's models so that the metadata (and Alembic) sees all tables."""
    import lms.accounts.models
    import lms.assessments.models
    import lms.certificates.models
    import lms.cohorts.models
    import lms.curriculum.models
    import lms.learning.models  # noqa: F401


def _init_extensions(app: Flask) -> None:
    from lms.core import transactions
    from lms.core.formatting import install_filters
    from lms.core.i18n import select_locale, template_translations
    from lms.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    transactions.init_app(app)  # a request's uncommitted work is rolled back at its end
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(template_translations)
    install_filters(app)
    login_manager.init_app(app)
    limiter.init_app(app)


def _init_security(app: Flask) -> None:
    """Install security headers, request ids, security logging and bounded URL ids."""
    from lms.core.security import init_security, install_url_converters

    install_url_converters(app)  # before any blueprint adds a rule
    init_security(app)


def _trust_proxies(app: Flask) -> None:
    """Read the client's address, scheme and host from the trusted proxies' X-Forwarded-*."""
    from lms.config import PROXY_FIX_HEADERS

    counts = {suffix.lower(): app.config[f"PROXY_FIX_{suffix}"] for suffix in PROXY_FIX_HEADERS}
    if any(counts.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)


def _register_blueprints(app: Flask) -> None:
    """Blueprints are registered from the lowest domain to the highest."""
    from lms.accounts.views import bp as accounts_bp
    from lms.admin.views import bp as admin_bp
    from lms.assessments.assignments.views import bp as assignments_bp
    from lms.assessments.grading.manage import bp as grading_bp
    from lms.assessments.quizzes.views import bp as quizzes_bp
    from lms.assessments.results.manage import bp as gradebook_bp
    from lms.assessments.results.views import bp as results_bp
    from lms.certificates.batch_views import bp as certificate_batches_bp
    from lms.certificates.manage import bp as certificates_admin_bp
    from lms.certificates.verification import bp as certificates_bp
    from lms.certificates.views import bp as my_certificates_bp
    from lms.cohorts.admin import bp as cohorts_admin_bp
    from lms.cohorts.manage import bp as cohorts_manage_bp
    from lms.core.health import bp as health_bp
    from lms.learning.manage import bp as learning_manage_bp
    from lms.learning.views import bp as learning_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(cohorts_manage_bp)
    app.register_blueprint(cohorts_admin_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(learning_manage_bp)
    app.register_blueprint(quizzes_bp)
    app.register_blueprint(assignments_bp)
    app.register_blueprint(grading_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(gradebook_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(my_certificates_bp)
    app.register_blueprint(certificates_admin_bp)
    app.register_blueprint(certificate_batches_bp)
    app.register_blueprint(admin_bp)


def _register_commands(app: Flask) -> None:
    """Domain commands appear under the ``lms`` console command."""
    from lms.accounts.cli import create_admin_command, reset_two_factor_command
    from lms.assessments.grading.cli import grading_digest_command
    from lms.curriculum.cli import export_path_command, load_path_command

    app.cli.add_command(create_admin_command)
    app.cli.add_command(reset_two_factor_command)
    app.cli.add_command(load_path_command)
    app.cli.add_command(export_path_command)
    app.cli.add_command(grading_digest_command)

    from lms.core.jobs import worker_command

    app.cli.add_command(worker_command)

    from lms.demo import demo_command

    app.cli.add_command(demo_command)

    from lms.certificates.cli import check_storage_command, issue_certificates_command

    app.cli.add_command(issue_certificates_command)
    app.cli.add_command(check_storage_command)
    # Automatic issuance watches the events that can make a learner eligible (off by default).
    import lms.certificates.auto_issue  # noqa: F401
    from lms.operations.cli import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def _register_error_handlers(app: Flask) -> None:
    """Error pages: 400 to 429 explain, 500 shows a correlation id (lms.core.errors)."""
    from lms.core.errors import register_error_handlers

    register_error_handlers(app)
