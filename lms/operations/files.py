"""The stored files of an instance, as a backup sees them: folders, hashes, atomic copies."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from lms.core import storage

FOLDER = re.compile(r"[a-z][a-z0-9_-]{0,63}")
# Instance folders never backed up: CSV files kept only between an import's preview and commit,
# and the private keys (credential keys, PDF signing identity), kept apart like the secret key.
TRANSIENT_FOLDERS = frozenset({"imports"})
KEY_FOLDERS = frozenset({"keys"})


def storage_folders(instance: Path) -> list[str]:
    """Return the instance's folders of stored files (``lms.core.storage`` layout), sorted."""
    if not instance.is_dir():
        return []
    return sorted(
        child.name
        for child in instance.iterdir()
        if child.is_dir()
        and FOLDER.fullmatch(child.name)
        and child.name not in TRANSIENT_FOLDERS | KEY_FOLDERS
        and storage.stored_keys(child)
    )


def hash_file(path: Path) -> tuple[str, int]:
    """Return a file's SHA-256 and size, read in chunks."""
    with path.open("rb") as source:
        digest = hashlib.file_digest(source, "sha256").hexdigest()
        return digest, source.tell()


def copy_file(source: Path, target: Path) -> tuple[str, int]:
    """Copy a file atomically (``storage.write_atomically``); return the written SHA-256, size."""
    with source.open("rb") as reader:
        return storage.write_atomically(target, reader)
