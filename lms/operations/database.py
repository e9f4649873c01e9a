"""Copying the instance's database (SQLite or PostgreSQL) into a backup, and back."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, make_url

from lms.extensions import db
from lms.operations.errors import BackupError
from lms.operations.manifest import DATABASE_FILES

ALEMBIC_TABLE = "alembic_version"


@dataclass
class Snapshot:
    """What a database copy saw: its dialect, Alembic revision and rows per table."""

    dialect: str
    revision: str | None
    rows: dict[str, int] = field(default_factory=dict)


def code_head() -> str:
    """Return the single head revision of the application's migrations."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", current_app.extensions["migrate"].directory)
    heads = ScriptDirectory.from_config(config).get_heads()
    if len(heads) != 1:
        raise BackupError(
            _("The migrations have %(count)d heads instead of one.", count=len(heads))
        )
    return heads[0]


def database_rows(connection: Connection | None = None) -> dict[str, int]:
    """Return the rows of every table of the current database (or of ``connection``'s)."""
    if connection is None:
        with db.engine.connect() as fresh:
            return database_rows(fresh)
    quote = connection.dialect.identifier_preparer.quote
    return {
        name: connection.execute(text(f"SELECT count(*) FROM {quote(name)}")).scalar_one()  # noqa: S608
        for name in sorted(inspect(connection).get_table_names())
    }


def revision(connection: Connection) -> str | None:
    """Return the Alembic revision stored in the database, or None without Alembic's table."""
    if ALEMBIC_TABLE not in inspect(connection).get_table_names():
        return None
    versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return ",".join(sorted(versions)) or None


def database_url() -> URL:
    """Return the URL of the current application's database."""
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def dialect(url: URL) -> str:
    """Return ``sqlite`` or ``postgresql``; refuse any other database."""
    name = url.get_backend_name()
    if name not in DATABASE_FILES:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(name)s.", name=name))
    return name


def sqlite_path(url: URL) -> Path:
    """Return the file of an SQLite URL; refuse an in-memory database."""
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError(_("The SQLite database must be a file to be backed up or restored."))
    return Path(url.database).resolve()


def dump(url: URL, target: Path) -> Snapshot:
    """Copy the database of ``url`` into ``target``; return what the copy saw."""
    if dialect(url) == "sqlite":
        return _dump_sqlite(url, target)
    return _dump_postgresql(url, target)


def _dump_sqlite(url: URL, target: Path) -> Snapshot:
    """Copy the SQLite database with the online backup API; read the copy's rows and revision."""
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(_("The SQLite database %(path)s does not exist.", path=source_path))
    with _sqlite(source_path) as source, _sqlite(target) as copy:
        source.backup(copy)
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as connection:
            return Snapshot("sqlite", revision(connection), database_rows(connection))
    finally:
        engine.dispose()


@contextmanager
def _sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    """Open an SQLite file and close it afterwards (``sqlite3``'s context manager does not)."""
    connection = sqlite3.connect(path)
    try:
        yield connection
    finally:
        connection.close()


def _dump_postgresql(url: URL, target: Path) -> Snapshot:
    """Run pg_dump in the snapshot the rows are counted in, so both describe one instant."""
    program = postgresql_tool("pg_dump")
    engine = db.engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as connection, connection.begin():
        connection.execute(text("SET TRANSACTION READ ONLY"))
        exported = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        snapshot = Snapshot("postgresql", revision(connection), database_rows(connection))
        dsn, env = libpq_connection(url)
        arguments = [
            program,
            "--format=custom",
            f"--snapshot={exported}",
            f"--file={target}",
            f"--dbname={dsn}",
        ]
        run(arguments, env, "pg_dump", url)
    return snapshot


def restore(url: URL, source: Path) -> None:
    """Replace the instance's (empty) database with the backup's copy."""
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old file or lock a table
    try:
        if dialect(url) == "sqlite":
            with _sqlite(source) as backup, _sqlite(sqlite_path(url)) as target:
                backup.backup(target)
        else:
            program = postgresql_tool("pg_restore")
            dsn, env = libpq_connection(url)
            arguments = [
                program, "--no-owner", "--no-acl", "--clean", "--if-exists",
                "--single-transaction", "--exit-on-error", f"--dbname={dsn}", str(source),
            ]  # fmt: skip
            run(arguments, env, "pg_restore", url)
    finally:
        db.engine.dispose()


def postgresql_tool(name: str) -> str:
    """Return the path of a PostgreSQL client program, or refuse naming what is missing."""
    program = shutil.which(name)
    if program is None:
        raise BackupError(
            _(
                "%(program)s was not found on the PATH: install the PostgreSQL client programs "
                "(Debian: postgresql-client), of the server's major version or newer.",
                program=name,
            )
        )
    return program


def libpq_connection(url: URL) -> tuple[str, dict[str, str]]:
    """Return a libpq URL without the password, and an environment giving it (never argv)."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    # URL.set() ignores None, so the URL is built again without its password.
    plain = URL.create(
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    )
    return plain.render_as_string(hide_password=False), env


def hidden(url: URL) -> str:
    """Return the URL as it may be shown: PostgreSQL, password masked."""
    return url.set(drivername="postgresql").render_as_string(hide_password=True)


def run(arguments: list[str], env: dict[str, str], program: str, url: URL) -> None:
    """Run a PostgreSQL client program; refuse with the end of its error output if it fails."""
    result = subprocess.run(arguments, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        details = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise BackupError(
            _(
                "%(program)s failed on %(url)s (exit status %(status)d): %(details)s",
                program=program,
                url=hidden(url),
                status=result.returncode,
                details=details,
            )
        )
