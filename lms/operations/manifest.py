"""The backup manifest (``manifest.json``): what a backup holds, typed, read and checked.

The JSON layout is format ``lms-backup`` version 1; ``Manifest.to_json`` writes it and
``read_manifest`` reads it back, refusing a manifest that names a file outside the layout.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from lms.operations.errors import BackupError
from lms.operations.files import hash_file

FORMAT = "lms-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES = "files"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# The only paths a manifest may name: the database file, or a stored file under ``files/``.
SAFE_PATH = re.compile(
    r"(database\.sqlite3|database\.pgdump|files/[a-z][a-z0-9_-]{0,63}/[0-9a-f]{2}/[0-9a-f]{32})"
)
FINGERPRINT_MESSAGE = b"lms backup: secret key fingerprint"
# What every backup says about keys (manifest ``keys``; docs/keys.md, "Backups").
KEYS_STATEMENT = (
    "Public keys that verify credentials are in the database (table credential_keys, retired "
    "ones included): credentials verify after a restore. Private keys (the instance's keys/ "
    "folder: credential keys and PDF signing identity) and the secret key are not in this "
    "backup: keep them apart."
)


@dataclass(frozen=True)
class BackupFile:
    """One file of a backup: its path relative to the backup folder, size and SHA-256."""

    path: str
    size: int
    sha256: str

    @property
    def stored(self) -> bool:
        """Whether this is a stored file (under ``files/``) rather than the database copy."""
        return self.path.startswith(FILES + "/")

    @property
    def folder(self) -> str:
        """The instance folder of a stored file (``uploads``, ``certificates``…)."""
        return self.path.split("/")[1]

    @property
    def instance_path(self) -> str:
        """Where a stored file goes, relative to the instance folder."""
        return self.path.removeprefix(FILES + "/")


@dataclass(frozen=True)
class DatabaseCopy:
    """The database copy of a backup: dialect, file, Alembic revision and rows per table."""

    dialect: str
    file: str
    alembic_revision: str | None
    rows: dict[str, int]


@dataclass(frozen=True)
class Manifest:
    """Everything ``manifest.json`` says about a finished backup."""

    created_at: str
    application_version: str | None
    database: DatabaseCopy
    secret_key_fingerprint: str | None
    files: list[BackupFile] = field(default_factory=list)
    keys: dict[str, Any] | None = None  # what the backup holds about keys (none of them private)
    format: str | None = FORMAT
    format_version: int | None = FORMAT_VERSION

    @property
    def stored_files(self) -> list[BackupFile]:
        """The stored files of the backup, without the database copy."""
        return [item for item in self.files if item.stored]

    @property
    def folders(self) -> list[str]:
        """The instance folders the backup's stored files go to, sorted."""
        return sorted({item.folder for item in self.stored_files})

    def to_json(self) -> bytes:
        """Return the manifest as ``manifest.json`` holds it (keys in the format's order)."""
        document = {
            "format": self.format,
            "format_version": self.format_version,
            "created_at": self.created_at,
            "application_version": self.application_version,
            "database": {
                "dialect": self.database.dialect,
                "file": self.database.file,
                "alembic_revision": self.database.alembic_revision,
                "rows": dict(sorted(self.database.rows.items())),
            },
            "secret_key_fingerprint": self.secret_key_fingerprint,
            "keys": self.keys,
            "files": [asdict(item) for item in self.files],
        }
        return json.dumps(document, indent=2).encode()


def read_manifest(directory: Path) -> Manifest:
    """Return the backup's manifest once its format, version and paths are acceptable."""
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(
            _("%(path)s has no manifest.json: it is not a finished backup.", path=directory)
        )
    try:
        manifest = _parse(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError(
            _("manifest.json is not a backup manifest: %(error)s", error=error)
        ) from None
    if manifest.format != FORMAT or manifest.format_version != FORMAT_VERSION:
        raise BackupError(
            _(
                "Unknown backup format %(format)s version %(version)s: this application reads "
                "%(known)s version %(known_version)d.",
                format=manifest.format,
                version=manifest.format_version,
                known=FORMAT,
                known_version=FORMAT_VERSION,
            )
        )
    for item in manifest.files:
        if not isinstance(item.path, str) or not SAFE_PATH.fullmatch(item.path):
            raise BackupError(
                _("manifest.json names a file outside the backup layout: %(path)s", path=item.path)
            )
    return manifest


def _parse(document: dict[str, Any]) -> Manifest:
    """Build a manifest from its JSON; a missing or unknown key raises KeyError or TypeError."""
    files = [BackupFile(**item) for item in document["files"]]
    database = document["database"]
    copy = DatabaseCopy(
        dialect=database["dialect"],
        file=database["file"],
        alembic_revision=database.get("alembic_revision"),
        rows=dict(database["rows"]),
    )
    if copy.file not in {item.path for item in files}:
        raise KeyError(copy.file)  # the database copy would escape verification
    return Manifest(
        created_at=document.get("created_at", ""),
        application_version=document.get("application_version"),
        database=copy,
        secret_key_fingerprint=document.get("secret_key_fingerprint"),
        files=files,
        keys=document.get("keys"),
        format=document.get("format"),
        format_version=document.get("format_version"),
    )


def verify_files(directory: Path, manifest: Manifest) -> int:
    """Check every listed file's size and SHA-256; refuse naming the first that differs."""
    for item in manifest.files:
        path = directory / item.path
        if not path.is_file():
            raise BackupError(_("The backup is damaged: %(path)s is missing.", path=item.path))
        digest, size = hash_file(path)
        if size != item.size or digest != item.sha256:
            raise BackupError(
                _(
                    "The backup is damaged: %(path)s does not match its SHA-256 in the manifest.",
                    path=item.path,
                )
            )
    return len(manifest.files)


def secret_key_fingerprint(secret: str | bytes) -> str:
    """Return an HMAC of a fixed message under the secret key: it tells keys apart, hides them."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]
