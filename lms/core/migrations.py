"""Flask-Migrate, imported only when something uses it (``lms db …``, ``lms demo``, backups).

Importing Flask-Migrate imports Alembic, which costs a fresh process about as much as SQLAlchemy
itself, while only the migration commands need it: every gunicorn worker, RQ worker and
``lms`` command would pay for it at start-up (PERFORMANCE.md target 8). ``LazyMigrate.init_app``
records the settings, registers an ``lms db`` group that loads Flask-Migrate's commands when it
runs, and puts a stand-in at ``app.extensions["migrate"]`` that sets the real extension up on
first use (by ``flask_migrate.upgrade``, ``migrations/env.py`` or ``lms.operations``).
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask


class LazyMigrate:
    """Flask-Migrate's ``Migrate``, set up on first use."""

    def init_app(self, app: Flask, db, **settings: Any) -> None:
        app.extensions["migrate"] = _PendingMigrate(app, db, settings)
        app.cli.add_command(MigrationCommands("db", help="Perform database migrations."))


class _PendingMigrate:
    """Stands in ``app.extensions["migrate"]`` until something reads it."""

    def __init__(self, app: Flask, db, settings: dict[str, Any]) -> None:
        self._app, self._db, self._settings = app, db, settings

    def __getattr__(self, name: str) -> Any:
        from flask_migrate import Migrate

        Migrate(self._app, self._db, **self._settings)  # replaces this stand-in
        return getattr(self._app.extensions["migrate"], name)


class MigrationCommands(click.Group):
    """``lms db …``: Flask-Migrate's own group, imported when it runs (or shows its help)."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        from flask_migrate.cli import db

        return db.make_context(info_name, args, parent=parent, **extra)
