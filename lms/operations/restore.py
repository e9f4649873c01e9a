"""Restore a verified backup into an empty instance; say what a failure left behind."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from lms.core import storage
from lms.operations import database, files
from lms.operations.database import ALEMBIC_TABLE
from lms.operations.errors import BackupError
from lms.operations.manifest import (
    DATABASE_FILES,
    Manifest,
    read_manifest,
    secret_key_fingerprint,
    verify_files,
)

Echo = Callable[[str], None]


@dataclass
class RestoreReport:
    """What a restore did: rows per table, files copied, and warnings to show."""

    rows: dict[str, int]
    files: int
    warnings: list[str]


@dataclass
class RestoreProgress:
    """How far a restore went, to tell what a failure left behind."""

    database: bool = False
    files: int = 0


def restore_backup(directory: Path, echo: Echo) -> RestoreReport:
    """Restore a verified backup into the current application's empty instance."""
    directory = directory.resolve()
    manifest = read_manifest(directory)
    url = database.database_url()
    _check_compatible(manifest, database.dialect(url))
    echo(_("Checking the files (%(count)d)…", count=len(manifest.files)))
    verify_files(directory, manifest)
    instance = Path(current_app.instance_path).resolve()
    _check_empty_instance(instance, manifest)
    progress = RestoreProgress()
    try:
        database.restore(url, directory / manifest.database.file)
        progress.database = True
        echo(_("Database restored."))
        _restore_files(directory, instance, manifest, progress)
        echo(_("Files copied: %(count)d.", count=progress.files))
        rows = _check_rows(manifest.database.rows)
    except (BackupError, OSError, sqlite3.Error, SQLAlchemyError) as error:
        raise BackupError(
            _failed_restore_message(error, progress, url, instance, manifest)
        ) from error
    return RestoreReport(rows=rows, files=progress.files, warnings=_key_warnings(manifest))


def _check_compatible(manifest: Manifest, dialect: str) -> None:
    """Refuse a backup of another database dialect or migration revision than the code's."""
    copy = manifest.database
    if copy.dialect != dialect or copy.file != DATABASE_FILES.get(dialect):
        raise BackupError(
            _(
                "The backup is of a %(backup)s database and this instance uses %(instance)s.",
                backup=copy.dialect,
                instance=dialect,
            )
        )
    head = database.code_head()
    if copy.alembic_revision != head:
        raise BackupError(
            _(
                "The backup's database is at migration %(backup)s and this application's "
                "migrations are at %(head)s: restore with the version of the application that "
                "made the backup, then run “lms db upgrade”.",
                backup=copy.alembic_revision or "—",
                head=head,
            )
        )


def _check_empty_instance(instance: Path, manifest: Manifest) -> None:
    """Refuse an instance that holds a row (Alembic's version aside) or a stored file."""
    rows = database.database_rows()
    filled = [name for name, count in rows.items() if count and name != ALEMBIC_TABLE]
    if filled:
        raise BackupError(
            _(
                "This instance is not empty: its database has rows (%(tables)s). Restore into a "
                "new, empty instance.",
                tables=", ".join(filled[:5]),
            )
        )
    occupied = sorted(
        name
        for name in set(manifest.folders) | set(files.storage_folders(instance))
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


def _key_warnings(manifest: Manifest) -> list[str]:
    """Warn when the backup's secret key is neither this instance's key nor a fallback key."""
    config = current_app.config
    keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    known = {secret_key_fingerprint(key) for key in keys}
    if manifest.secret_key_fingerprint is None or manifest.secret_key_fingerprint in known:
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
    directory: Path, instance: Path, manifest: Manifest, progress: RestoreProgress
) -> None:
    """Copy every stored file into the instance, atomically, checking its SHA-256 again."""
    for item in manifest.stored_files:
        digest, _size = files.copy_file(directory / item.path, instance / item.instance_path)
        if digest != item.sha256:
            raise BackupError(_("%(path)s changed while it was copied.", path=item.path))
        progress.files += 1


def _check_rows(expected: dict[str, int]) -> dict[str, int]:
    """Return the restored rows per table, once they equal the manifest's."""
    rows = database.database_rows()
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
    error: Exception, progress: RestoreProgress, url: URL, instance: Path, manifest: Manifest
) -> str:
    """Say what failed, what was already done, and how to empty the instance to retry."""
    lines = [_("The restore failed: %(error)s", error=error)]
    if not progress.database:
        lines.append(_("Nothing was changed: fix the cause and run “lms restore” again."))
        return "\n".join(lines)
    lines.append(
        _(
            "Done before the failure: the database was restored, %(copied)d of %(total)d files "
            "were copied. The instance is partly restored and must not be used.",
            copied=progress.files,
            total=len(manifest.stored_files),
        )
    )
    if database.dialect(url) == "sqlite":
        target = _("delete %(path)s", path=database.sqlite_path(url))
    else:
        target = _("drop and create the database %(url)s", url=database.hidden(url))
    lines.append(
        _(
            "To retry: %(database)s, delete %(folders)s, then run “lms restore” again.",
            database=target,
            folders=", ".join(str(instance / name) for name in manifest.folders) or "—",
        )
    )
    return "\n".join(lines)
