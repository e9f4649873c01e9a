"""The certifying-path LMS: ``create_app`` builds the Flask application."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, then each domain (``_init_domains``)."""
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
    _check_signing(app)
    # Like the Flask tutorial: the instance folder holds the SQLite file, uploads and PDFs.
    os.makedirs(app.instance_path, exist_ok=True)
    _import_models()
    _init_extensions(app)
    _trust_proxies(app)
    _init_domains(app)
    return app


def _check_signing(app: Flask) -> None:
    """Refuse to start production without the organisation's own signing identity and key.

    Beside ``lms.config.check_production``, which may not use ``lms.core``: every PDF a
    production instance issues is signed, never with a development certificate, and so is
    every credential, never with a development key (``lms keys rotate`` makes one).
    """
    from lms.certificates.credentials.keys import production_key_problem
    from lms.config import ConfigError
    from lms.core.pades import identity_problem

    if app.config["ENV_NAME"] != "production":
        return
    if problem := identity_problem(app.config, app.instance_path, production=True):
        raise ConfigError(problem)
    if problem := production_key_problem(app.config, app.instance_path):
        raise ConfigError(problem)


def _import_models() -> None:
    """Import every domain's models so that the metadata (and Alembic) sees all tables."""
    import lms.accounts.models
    import lms.assessments.models
    import lms.attendance.models
    import lms.certificates.credentials.models
    import lms.certificates.models
    import lms.certificates.realisation.models
    import lms.cohorts.models
    import lms.curriculum.models
    import lms.learning.calendar.models
    import lms.learning.models
    import lms.learning.reminders.models
    import lms.organisations.models
    import lms.projects.models
    import lms.quality.dossiers.models
    import lms.quality.indicators.models
    import lms.quality.positioning.models
    import lms.quality.surveys.models  # noqa: F401


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


def _trust_proxies(app: Flask) -> None:
    """Read the client's address, scheme and host from the trusted proxies' X-Forwarded-*."""
    from lms.config import PROXY_FIX_HEADERS

    counts = {suffix.lower(): app.config[f"PROXY_FIX_{suffix}"] for suffix in PROXY_FIX_HEADERS}
    if any(counts.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)


def _init_domains(app: Flask) -> None:
    """Let each domain add its blueprints, signal receivers and commands, lowest domain first.

    The order is DESIGN.md §3's (``tests/test_architecture.py`` keeps the imports to it): a
    domain may count on the ones before it being wired.
    """
    from lms import (
        accounts,
        admin,
        assessments,
        attendance,
        certificates,
        cohorts,
        core,
        curriculum,
        demo,
        learning,
        operations,
        organisations,
        projects,
        quality,
    )

    core.init_app(app)
    accounts.init_app(app)
    organisations.init_app(app)
    curriculum.init_app(app)
    cohorts.init_app(app)
    learning.init_app(app)
    assessments.init_app(app)
    attendance.init_app(app)
    projects.init_app(app)
    certificates.init_app(app)
    quality.init_app(app)
    admin.init_app(app)
    operations.init_app(app)
    demo.init_app(app)
