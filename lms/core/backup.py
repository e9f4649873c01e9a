"""Back up an instance into a folder and restore it into an empty instance (SECURITY.md H35).

A backup folder holds, and ``manifest.json`` (written last: no manifest, no backup) lists:

- the database: ``database.sqlite3``, a consistent copy made with SQLite's online backup API
  while the application runs, or ``database.pgdump``, ``pg_dump --format=custom`` run in the
  snapshot the row counts were read in (exported from a REPEATABLE READ transaction);
- ``files/<folder>/<key[:2]>/<key>``: the stored files of every folder of the instance that uses
  the layout of ``lms.core.storage`` (``uploads/`` for learners' work, ``certificates/`` for
  issued PDFs, and any later one). Files are copied after the database is read: a file is
  written before its row is committed, so every row of the copy finds its file; a file newer
  than the copy is an orphan, which the consistency check reports;
- the manifest: format and version, creation time, application version, database dialect,
  Alembic revision, rows per table, and every file's relative path, size and SHA-256.

Not backed up, by decision: the secret key (``lms.cfg`` or ``LMS_SECRET_KEY``). It signs
password-reset links and sessions and encrypts the administrators' second-factor secrets: a
copy of the key next to the database would turn a stolen backup into a key to the live site. It
is kept apart (a password manager, the deployment's secret store); the manifest records only an
HMAC fingerprint of it, and a restore under another key warns that second factors must be reset
(``lms reset-two-factor``). Also left out: ``imports/`` (CSV files kept a few minutes between
an import's preview and its commit) and the SQLite file itself as a plain file copy.

Restoring checks the manifest and every file's SHA-256 first, refuses a backup of another format
version, dialect or Alembic revision, and refuses an instance that holds any row (the Alembic
version aside) or any stored file. It then restores the database (SQLite: the backup API into
the instance's file; PostgreSQL: ``pg_restore --clean --if-exists --single-transaction``, all
or nothing, into an empty or freshly upgraded database), copies the files (each written
atomically and checked again) and compares the row counts with the manifest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from lms.core import storage
from lms.extensions import db

FORMAT = "lms-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES = "files"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Instance folders never backed up: CSV files kept only between an import's preview and commit.
TRANSIENT_FOLDERS = frozenset({"imports"})
ALEMBIC_TABLE = "alembic_version"
FOLDER = re.compile(r"[a-z][a-z0-9_-]{0,63}")
# The only paths a manifest may name: the database file, or a stored file under ``files/``.
SAFE_PATH = re.compile(
    r"(database\.sqlite3|database\.pgdump|files/[a-z][a-z0-9_-]{0,63}/[0-9a-f]{2}/[0-9a-f]{32})"
)
FINGERPRINT_MESSAGE = b"lms backup: secret key fingerprint"

Echo = Callable[[str], None]


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why and what to do."""


@dataclass
class BackupFile:
    """One file of a backup: its path relative to the backup folder, size and SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass
class Snapshot:
    """What a database copy saw: its dialect, Alembic revision and rows per table."""

    dialect: str
    revision: str | None
    rows: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Backup


def create_backup(directory: Path, echo: Echo) -> dict[str, Any]:
    """Back up the current application's instance into ``directory``; return the manifest."""
    directory = directory.resolve()
    instance = Path(current_app.instance_path).resolve()
    _check_new_backup_folder(directory, instance)
    url = _database_url()
    dialect = _dialect(url)
    created = not directory.exists()
    # Personal data and password hashes: only the owner reads a folder the backup creates.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        manifest = _write_backup(directory, instance, url, dialect, echo)
    except BaseException:
        _discard(directory, created)  # a failed backup leaves nothing that looks like one
        raise
    if manifest["database"]["alembic_revision"] is None:
        echo(
            _(
                "Warning: the database has no Alembic revision (it was not created by “lms db "
                "upgrade”): this backup cannot be restored."
            )
        )
    return manifest


def _write_backup(
    directory: Path, instance: Path, url: URL, dialect: str, echo: Echo
) -> dict[str, Any]:
    """Copy the database, then the stored files, then write the manifest (last)."""
    database_file = DATABASE_FILES[dialect]
    echo(_("Copying the database (%(dialect)s)…", dialect=dialect))
    if dialect == "sqlite":
        snapshot = _dump_sqlite(url, directory / database_file)
    else:
        snapshot = _dump_postgresql(url, directory / database_file)
    rows = sum(snapshot.rows.values())
    echo(_("Tables: %(count)d, rows: %(rows)d.", count=len(snapshot.rows), rows=rows))
    files = [_describe(directory, database_file)]
    for folder in storage_folders(instance):
        copied, vanished = _copy_folder(
            instance / folder, directory / FILES / folder, f"{FILES}/{folder}"
        )
        echo(_("Files in %(folder)s/: %(count)d.", folder=folder, count=len(copied)))
        for key in vanished:
            echo(
                _(
                    "Warning: %(folder)s/%(key)s was deleted while the backup ran; it is not in "
                    "the backup.",
                    folder=folder,
                    key=key,
                )
            )
        files.extend(copied)
    manifest = _manifest(snapshot, database_file, files)
    _write_atomically(directory / MANIFEST, json.dumps(manifest, indent=2).encode())
    return manifest


def _discard(directory: Path, created: bool) -> None:
    """Remove what a failed backup wrote: the folder it created, or the empty folder's content."""
    if created:
        shutil.rmtree(directory, ignore_errors=True)
        return
    for child in directory.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _check_new_backup_folder(directory: Path, instance: Path) -> None:
    """Refuse a folder that holds anything, is a file, or lies inside the instance."""
    if directory == instance or instance in directory.parents:
        raise BackupError(
            _(
                "%(path)s is inside the instance folder: keep backups elsewhere (a backup on the "
                "disk it protects is lost with it).",
                path=directory,
            )
        )
    if directory.exists() and not directory.is_dir():
        raise BackupError(_("%(path)s exists and is not a folder.", path=directory))
    if directory.is_dir() and any(directory.iterdir()):
        raise BackupError(_("%(path)s is not empty: give a new or empty folder.", path=directory))


def storage_folders(instance: Path) -> list[str]:
    """Return the instance's folders of stored files (``lms.core.storage`` layout), sorted."""
    if not instance.is_dir():
        return []
    return sorted(
        child.name
        for child in instance.iterdir()
        if child.is_dir()
        and FOLDER.fullmatch(child.name)
        and child.name not in TRANSIENT_FOLDERS
        and storage.stored_keys(child)
    )


def _copy_folder(source: Path, target: Path, prefix: str) -> tuple[list[BackupFile], list[str]]:
    """Copy the stored files of ``source`` (not temporary files); describe each copy.

    A file removed between the listing and its copy (a replaced draft, a rebuilt PDF) is
    skipped and its key returned: a backup does not fail for what the application deleted.
    """
    copied, vanished = [], []
    for key in sorted(storage.stored_keys(source)):
        relative = f"{key[:2]}/{key}"
        try:
            digest, size = _copy_file(source / relative, target / relative)
        except FileNotFoundError:
            vanished.append(key)
            continue
        copied.append(BackupFile(f"{prefix}/{relative}", size, digest))
    return copied, vanished


def _manifest(snapshot: Snapshot, database_file: str, files: list[BackupFile]) -> dict[str, Any]:
    """Return the manifest describing a finished backup."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "application_version": _application_version(),
        "database": {
            "dialect": snapshot.dialect,
            "file": database_file,
            "alembic_revision": snapshot.revision,
            "rows": dict(sorted(snapshot.rows.items())),
        },
        "secret_key_fingerprint": secret_key_fingerprint(current_app.config["SECRET_KEY"]),
        "files": [vars(item) for item in files],
    }


def _application_version() -> str | None:
    """Return the installed version of the application, to know which one restores the backup."""
    try:
        return metadata.version("lms-bien-vivre")
    except metadata.PackageNotFoundError:
        return None


def secret_key_fingerprint(secret: str | bytes) -> str:
    """Return an HMAC of a fixed message under the secret key: it tells keys apart, hides them."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Restore


@dataclass
class RestoreReport:
    """What a restore did: rows per table, files copied, and warnings to show."""

    rows: dict[str, int]
    files: int
    warnings: list[str]


def read_manifest(directory: Path) -> dict[str, Any]:
    """Return the backup's manifest once its format, version and paths are acceptable."""
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(
            _("%(path)s has no manifest.json: it is not a finished backup.", path=directory)
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = [BackupFile(**item) for item in manifest["files"]]
        database = manifest["database"]
        if not all(key in database for key in ("dialect", "file", "rows")):
            raise KeyError("database")
        if database["file"] not in {item.path for item in files}:
            raise KeyError(database["file"])  # the database copy would escape verification
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(
            _("manifest.json is not a backup manifest: %(error)s", error=error)
        ) from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _(
                "Unknown backup format %(format)s version %(version)s: this application reads "
                "%(known)s version %(known_version)d.",
                format=manifest.get("format"),
                version=manifest.get("format_version"),
                known=FORMAT,
                known_version=FORMAT_VERSION,
            )
        )
    for item in files:
        if not isinstance(item.path, str) or not SAFE_PATH.fullmatch(item.path):
            raise BackupError(
                _("manifest.json names a file outside the backup layout: %(path)s", path=item.path)
            )
    return manifest


def verify_files(directory: Path, manifest: dict[str, Any]) -> int:
    """Check every listed file's size and SHA-256; refuse naming the first that differs."""
    for item in manifest["files"]:
        path = directory / item["path"]
        if not path.is_file():
            raise BackupError(_("The backup is damaged: %(path)s is missing.", path=item["path"]))
        digest, size = _hash_file(path)
        if size != item["size"] or digest != item["sha256"]:
            raise BackupError(
                _(
                    "The backup is damaged: %(path)s does not match its SHA-256 in the manifest.",
                    path=item["path"],
                )
            )
    return len(manifest["files"])


def restore_backup(directory: Path, echo: Echo) -> RestoreReport:
    """Restore a verified backup into the current application's empty instance."""
    directory = directory.resolve()
    manifest = read_manifest(directory)
    url = _database_url()
    _check_compatible(manifest, _dialect(url))
    echo(_("Checking the files (%(count)d)…", count=len(manifest["files"])))
    verify_files(directory, manifest)
    instance = Path(current_app.instance_path).resolve()
    _check_empty_instance(instance, manifest)
    progress = RestoreProgress()
    try:
        _restore_database(url, directory / manifest["database"]["file"])
        progress.database = True
        echo(_("Database restored."))
        _restore_files(directory, instance, manifest, progress)
        echo(_("Files copied: %(count)d.", count=progress.files))
        rows = _check_rows(manifest["database"]["rows"])
    except (BackupError, OSError, sqlite3.Error, SQLAlchemyError) as error:
        raise BackupError(
            _failed_restore_message(error, progress, url, instance, manifest)
        ) from error
    return RestoreReport(rows=rows, files=progress.files, warnings=_key_warnings(manifest))


@dataclass
class RestoreProgress:
    """How far a restore went, to tell what a failure left behind."""

    database: bool = False
    files: int = 0


def _check_compatible(manifest: dict[str, Any], dialect: str) -> None:
    """Refuse a backup of another database dialect or migration revision than the code's."""
    database = manifest["database"]
    if database["dialect"] != dialect or database["file"] != DATABASE_FILES.get(dialect):
        raise BackupError(
            _(
                "The backup is of a %(backup)s database and this instance uses %(instance)s.",
                backup=database["dialect"],
                instance=dialect,
            )
        )
    head = code_head()
    if database.get("alembic_revision") != head:
        raise BackupError(
            _(
                "The backup's database is at migration %(backup)s and this application's "
                "migrations are at %(head)s: restore with the version of the application that "
                "made the backup, then run “lms db upgrade”.",
                backup=database.get("alembic_revision") or "—",
                head=head,
            )
        )


def _check_empty_instance(instance: Path, manifest: dict[str, Any]) -> None:
    """Refuse an instance that holds a row (Alembic's version aside) or a stored file."""
    filled = [name for name, count in database_rows().items() if count and name != ALEMBIC_TABLE]
    if filled:
        raise BackupError(
            _(
                "This instance is not empty: its database has rows (%(tables)s). Restore into a "
                "new, empty instance.",
                tables=", ".join(filled[:5]),
            )
        )
    folders = {
        path.split("/")[1] for item in manifest["files"] if (path := item["path"]).startswith(FILES)
    }
    occupied = sorted(
        name
        for name in folders | set(storage_folders(instance))
        if storage.stored_keys(instance / name)
    )
    if occupied:
        raise BackupError(
            _(
                "This instance is not empty: %(folder)s already holds stored files. Restore into "
                "a new, empty instance.",
                folder=instance / occupied[0],
            )
        )


def _key_warnings(manifest: dict[str, Any]) -> list[str]:
    """Warn when the backup's secret key is neither this instance's key nor a fallback key."""
    config = current_app.config
    keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    known = {secret_key_fingerprint(key) for key in keys}
    if manifest.get("secret_key_fingerprint") in known | {None}:
        return []
    return [
        _(
            "This instance's secret key is not the one the backup was made with: sessions and "
            "reset links made before are invalid, and second factors cannot be checked. Set the "
            "former key (LMS_SECRET_KEY or lms.cfg) before starting, or reset each second factor "
            "with “lms reset-two-factor”."
        )
    ]


def _restore_files(
    directory: Path, instance: Path, manifest: dict[str, Any], progress: RestoreProgress
) -> None:
    """Copy every stored file into the instance, atomically, checking its SHA-256 again."""
    for item in manifest["files"]:
        if not item["path"].startswith(FILES + "/"):
            continue
        relative = item["path"].removeprefix(FILES + "/")
        digest, _size = _copy_file(directory / item["path"], instance / relative)
        if digest != item["sha256"]:
            raise BackupError(_("%(path)s changed while it was copied.", path=item["path"]))
        progress.files += 1


def _check_rows(expected: dict[str, int]) -> dict[str, int]:
    """Return the restored rows per table, once they equal the manifest's."""
    rows = database_rows()
    differ = sorted(
        name for name in expected.keys() | rows.keys() if rows.get(name) != expected.get(name)
    )
    if differ:
        name = differ[0]
        raise BackupError(
            _(
                "The restored table %(table)s has %(found)s rows instead of %(expected)s.",
                table=name,
                found=rows.get(name, "—"),
                expected=expected.get(name, "—"),
            )
        )
    return rows


def _failed_restore_message(
    error: Exception, progress: RestoreProgress, url: URL, instance: Path, manifest: dict
) -> str:
    """Say what failed, what was already done, and how to empty the instance to retry."""
    lines = [_("The restore failed: %(error)s", error=error)]
    if not progress.database:
        lines.append(_("Nothing was changed: fix the cause and run “lms restore” again."))
        return "\n".join(lines)
    total = sum(item["path"].startswith(FILES + "/") for item in manifest["files"])
    lines.append(
        _(
            "Done before the failure: the database was restored, %(copied)d of %(total)d files "
            "were copied. The instance is partly restored and must not be used.",
            copied=progress.files,
            total=total,
        )
    )
    if _dialect(url) == "sqlite":
        database = _("delete %(path)s", path=_sqlite_path(url))
    else:
        database = _("drop and create the database %(url)s", url=_hidden(url))
    folders = sorted(
        {item["path"].split("/")[1] for item in manifest["files"] if item["path"].startswith(FILES)}
    )
    lines.append(
        _(
            "To retry: %(database)s, delete %(folders)s, then run “lms restore” again.",
            database=database,
            folders=", ".join(str(instance / name) for name in folders) or "—",
        )
    )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Databases


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


def _revision(connection: Connection) -> str | None:
    """Return the Alembic revision stored in the database, or None without Alembic's table."""
    if ALEMBIC_TABLE not in inspect(connection).get_table_names():
        return None
    versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return ",".join(sorted(versions)) or None


def _database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _dialect(url: URL) -> str:
    """Return ``sqlite`` or ``postgresql``; refuse any other database."""
    name = url.get_backend_name()
    if name not in DATABASE_FILES:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(name)s.", name=name))
    return name


def _sqlite_path(url: URL) -> Path:
    """Return the file of an SQLite URL; refuse an in-memory database."""
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError(_("The SQLite database must be a file to be backed up or restored."))
    return Path(url.database).resolve()


def _dump_sqlite(url: URL, target: Path) -> Snapshot:
    """Copy the SQLite database with the online backup API; read the copy's rows and revision."""
    source_path = _sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(_("The SQLite database %(path)s does not exist.", path=source_path))
    with _sqlite(source_path) as source, _sqlite(target) as copy:
        source.backup(copy)
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as connection:
            return Snapshot("sqlite", _revision(connection), database_rows(connection))
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
        snapshot = Snapshot("postgresql", _revision(connection), database_rows(connection))
        dsn, env = libpq_connection(url)
        arguments = [
            program,
            "--format=custom",
            f"--snapshot={exported}",
            f"--file={target}",
            f"--dbname={dsn}",
        ]
        _run(arguments, env, "pg_dump", url)
    return snapshot


def _restore_database(url: URL, source: Path) -> None:
    """Replace the instance's (empty) database with the backup's copy."""
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old file or lock a table
    try:
        if _dialect(url) == "sqlite":
            with _sqlite(source) as backup, _sqlite(_sqlite_path(url)) as target:
                backup.backup(target)
        else:
            program = postgresql_tool("pg_restore")
            dsn, env = libpq_connection(url)
            arguments = [
                program, "--no-owner", "--no-acl", "--clean", "--if-exists",
                "--single-transaction", "--exit-on-error", f"--dbname={dsn}", str(source),
            ]  # fmt: skip
            _run(arguments, env, "pg_restore", url)
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


def _hidden(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=True)


def _run(arguments: list[str], env: dict[str, str], program: str, url: URL) -> None:
    """Run a PostgreSQL client program; refuse with the end of its error output if it fails."""
    result = subprocess.run(arguments, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        details = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise BackupError(
            _(
                "%(program)s failed on %(url)s (exit status %(status)d): %(details)s",
                program=program,
                url=_hidden(url),
                status=result.returncode,
                details=details,
            )
        )


# ---------------------------------------------------------------------------------------------
# Files


def _describe(directory: Path, relative: str) -> BackupFile:
    digest, size = _hash_file(directory / relative)
    return BackupFile(relative, size, digest)


def _hash_file(path: Path) -> tuple[str, int]:
    """Return a file's SHA-256 and size, read in chunks."""
    with path.open("rb") as source:
        digest = hashlib.file_digest(source, "sha256").hexdigest()
        return digest, source.tell()


def _copy_file(source: Path, target: Path) -> tuple[str, int]:
    """Copy a file atomically (temporary file, fsync, rename); return the written SHA-256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(storage.TEMPORARY_PREFIX + target.name)
    try:
        with source.open("rb") as reader, temporary.open("wb") as writer:
            digest, size = storage.copy_hashed(reader, writer)
            writer.flush()
            os.fsync(writer.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return digest, size


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".partial")
    temporary.write_bytes(data)
    with temporary.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
