"""Alembic environment: runs inside the Flask application (``lms db ...``).

The target is ``db.metadata`` with the project's naming convention. Types are compared, so a
changed column type shows up in ``lms db migrate`` and ``lms db check``. Operations are rendered
in batch mode, which SQLite needs to alter tables and which PostgreSQL runs as plain ALTERs.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy.types import TypeDecorator

config = context.config

# Configure logging only when the host process has not done it (pytest, an embedding app):
# fileConfig would otherwise replace its handlers and silence its loggers.
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    """Return the engine of the application's database."""
    return target_db.engine


def get_metadata():
    """Return the metadata of every model (``create_app`` imports every domain's models)."""
    return target_db.metadata


def render_item(type_, obj, autogen_context):
    """Render project column types as their SQLAlchemy type, so that scripts never import lms."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"  # UTCDateTime → sa.DateTime(timezone=True)
    return False


def process_revision_directives(context, revision, directives):
    """Write no empty revision when ``lms db migrate`` finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")


def configure_args():
    """Return the context options: Flask-Migrate's, with types compared and batch rendering."""
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("process_revision_directives", process_revision_directives)
    args["compare_type"] = True
    args["render_as_batch"] = True
    args["render_item"] = render_item
    return args


def run_migrations_offline():
    """Emit the SQL of the migrations (``lms db upgrade --sql``) without connecting."""
    url = get_engine().url.render_as_string(hide_password=False)
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True, **configure_args()
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on a connection to the application's database, in one transaction.

    SQLite alters a table by rebuilding it (copy, drop, rename). With foreign keys enforced,
    dropping the old table would delete the rows that refer to it (ON DELETE CASCADE) or fail
    (RESTRICT), so they are off while migrating, as SQLite's documentation prescribes, and every
    reference is checked before committing: a dangling one rolls the whole upgrade back. The
    driver would run DDL outside any transaction, so the transaction is opened explicitly.
    """
    with get_engine().connect() as connection:
        driver = connection.connection.driver_connection
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            isolation_level = driver.isolation_level
            driver.isolation_level = None  # the driver no longer opens transactions itself
            driver.execute("PRAGMA foreign_keys=OFF")  # ignored inside a transaction
            driver.execute("BEGIN")
        try:
            context.configure(
                connection=connection,
                target_metadata=get_metadata(),
                transactional_ddl=True,  # all revisions in the one transaction, SQLite's too
                **configure_args(),
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    dangling = driver.execute("PRAGMA foreign_key_check").fetchall()
                    if dangling:
                        raise RuntimeError(f"the migration left dangling references: {dangling}")
        finally:
            if sqlite:
                if driver.in_transaction:
                    driver.execute("ROLLBACK")
                driver.execute("PRAGMA foreign_keys=ON")
                driver.isolation_level = isolation_level


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
