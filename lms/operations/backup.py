"""Back up an instance into a new folder: database, stored files, manifest written last."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.engine import URL

from lms.core import storage
from lms.operations import database, files
from lms.operations.errors import BackupError
from lms.operations.manifest import (
    DATABASE_FILES,
    FILES,
    KEYS_STATEMENT,
    MANIFEST,
    BackupFile,
    DatabaseCopy,
    Manifest,
    secret_key_fingerprint,
)

Echo = Callable[[str], None]


def create_backup(directory: Path, echo: Echo) -> Manifest:
    """Back up the current application's instance into ``directory``; return the manifest."""
    directory = directory.resolve()
    instance = Path(current_app.instance_path).resolve()
    _check_new_backup_folder(directory, instance)
    url = database.database_url()
    dialect = database.dialect(url)
    created = not directory.exists()
    # Personal data and password hashes: only the owner reads a folder the backup creates.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        manifest = _write_backup(directory, instance, url, dialect, echo)
    except BaseException:
        _discard(directory, created)  # a failed backup leaves nothing that looks like one
        raise
    if manifest.database.alembic_revision is None:
        echo(
            _(
                "Warning: the database has no Alembic revision (it was not created by “lms db "
                "upgrade”): this backup cannot be restored."
            )
        )
    return manifest


def _write_backup(directory: Path, instance: Path, url: URL, dialect: str, echo: Echo) -> Manifest:
    """Copy the database, then the stored files, then write the manifest (last)."""
    database_file = DATABASE_FILES[dialect]
    echo(_("Copying the database (%(dialect)s)…", dialect=dialect))
    snapshot = database.dump(url, directory / database_file)
    rows = sum(snapshot.rows.values())
    echo(_("Tables: %(count)d, rows: %(rows)d.", count=len(snapshot.rows), rows=rows))
    listed = [_describe(directory, database_file)]
    for folder in files.storage_folders(instance):
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
        listed.extend(copied)
    manifest = Manifest(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        application_version=_application_version(),
        database=DatabaseCopy(
            dialect=snapshot.dialect,
            file=database_file,
            alembic_revision=snapshot.revision,
            rows=dict(sorted(snapshot.rows.items())),
        ),
        secret_key_fingerprint=secret_key_fingerprint(current_app.config["SECRET_KEY"]),
        files=listed,
        keys={
            "public_credential_keys": snapshot.rows.get("credential_keys", 0),
            "private_keys_included": False,
            "statement": KEYS_STATEMENT,
        },
    )
    storage.write_atomically(directory / MANIFEST, manifest.to_json())
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


def _copy_folder(source: Path, target: Path, prefix: str) -> tuple[list[BackupFile], list[str]]:
    """Copy the stored files of ``source`` (not temporary files); describe each copy.

    A file removed between the listing and its copy (a replaced draft, a rebuilt PDF) is
    skipped and its key returned: a backup does not fail for what the application deleted.
    """
    copied: list[BackupFile] = []
    vanished: list[str] = []
    for key in sorted(storage.stored_keys(source)):
        relative = f"{key[:2]}/{key}"
        try:
            digest, size = files.copy_file(source / relative, target / relative)
        except FileNotFoundError:
            vanished.append(key)
            continue
        copied.append(BackupFile(f"{prefix}/{relative}", size, digest))
    return copied, vanished


def _describe(directory: Path, relative: str) -> BackupFile:
    digest, size = files.hash_file(directory / relative)
    return BackupFile(relative, size, digest)


def _application_version() -> str | None:
    """Return the installed version of the application, to know which one restores the backup."""
    try:
        return metadata.version("lms-bien-vivre")
    except metadata.PackageNotFoundError:
        return None
