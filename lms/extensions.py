"""Flask extensions, created unbound and initialised in ``create_app``.

They sit below every package of ``lms`` (``core`` included) and import none of them.

Flask-Migrate is imported only when something uses it (``lms db …``, ``lms demo``, backups).
Importing Flask-Migrate imports Alembic, which costs a fresh process about as much as SQLAlchemy
itself, while only the migration commands need it: every gunicorn worker, RQ worker and
``lms`` command would pay for it at start-up (PERFORMANCE.md target 8). ``LazyMigrate.init_app``
records the settings, registers an ``lms db`` group that loads Flask-Migrate's commands when it
runs, and puts a stand-in at ``app.extensions["migrate"]`` that sets the real extension up on
first use (by ``flask_migrate.upgrade``, ``migrations/env.py`` or ``lms.operations``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class LazyMigrate:
    """Flask-Migrate's ``Migrate``, set up on first use."""

    def init_app(self, app: Flask, db: SQLAlchemy, **settings: Any) -> None:
        app.extensions["migrate"] = _PendingMigrate(app, db, settings)
        app.cli.add_command(MigrationCommands("db", help="Perform database migrations."))


class _PendingMigrate:
    """Stands in ``app.extensions["migrate"]`` until something reads it."""

    def __init__(self, app: Flask, db: SQLAlchemy, settings: dict[str, Any]) -> None:
        self._app, self._db, self._settings = app, db, settings

    def __getattr__(self, name: str) -> Any:
        from flask_migrate import Migrate

        Migrate(self._app, self._db, **self._settings)  # replaces this stand-in
        return getattr(self._app.extensions["migrate"], name)


class MigrationCommands(click.Group):
    """``lms db …``: Flask-Migrate's own group, imported when it runs (or shows its help)."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        from flask_migrate.cli import db

        context: click.Context = db.make_context(info_name, args, parent=parent, **extra)
        return context


# Stable constraint names, so that Alembic can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
# The base class of the models: ``db.Model`` (Flask-SQLAlchemy's subclass of ``Base``, which
# names tables and binds the session); the type checker, which cannot see through it, sees Base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = LazyMigrate()  # Flask-Migrate (and Alembic) load only when used
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Storage comes from RATELIMIT_STORAGE_URI (memory://, or LMS_REDIS_URL): see lms.config.
# Limits are declared on the authentication views only (lms.accounts.throttling).
limiter = Limiter(key_func=get_remote_address)
