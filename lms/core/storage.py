"""Keep uploaded files in a folder under random keys, written atomically (SECURITY.md F25, F26).

A file is never stored under a name a person chose: ``store_bytes`` draws a random key (128 bits,
hex) and writes ``<folder>/<key[:2]>/<key>``. The bytes go (``write_atomically``, the one atomic
write of the application, also used by backups and restores) to a temporary file in the same
directory, which is flushed to disk (fsync) and then renamed over the final name
(``os.replace``, atomic on one file system), and the directory itself is synced so that the
rename survives a crash. A failure at any point removes the temporary file: a key either names a
complete file or nothing. Keys are checked against a strict pattern before any path is built, so
no key can reach outside the folder.

The module knows nothing of the domain: callers pass the folder (``<instance>/uploads`` for
learner submissions) and keep the keys in their own tables; ``stored_keys`` lists what is on disk
so that a consistency check can compare both.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

KEY = re.compile(r"[0-9a-f]{32}")
CHUNK = 64 * 1024
TEMPORARY_PREFIX = ".partial-"


class StorageError(Exception):
    """A stored file cannot be written, found or named."""


class InvalidKey(StorageError):
    """The key is not one ``store_bytes`` could have drawn (it may be an attempted traversal)."""


class StoredFileMissing(StorageError):
    """No file is stored under this key."""


@dataclass(frozen=True)
class StoredFile:
    """What ``store_bytes`` wrote: the key naming it, its SHA-256 (hex) and its size in bytes."""

    key: str
    sha256: str
    size: int


def new_key() -> str:
    """Draw a random storage key: 128 bits as 32 lower-case hex digits."""
    return secrets.token_hex(16)


def stored_path(folder: str | Path, key: str) -> Path:
    """Return where ``key`` is stored in ``folder``; refuse anything that is not a real key."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise InvalidKey("invalid storage key")
    return Path(folder) / key[:2] / key


def store_bytes(folder: str | Path, data: bytes | BinaryIO) -> StoredFile:
    """Write ``data`` (bytes or a binary stream) under a new random key, atomically."""
    key = new_key()
    digest, size = write_atomically(stored_path(folder, key), data)
    return StoredFile(key, digest, size)


def write_atomically(target: Path, data: bytes | BinaryIO) -> tuple[str, int]:
    """Write ``data`` to ``target`` all or nothing; return the written SHA-256 and size.

    The one atomic write of the application: a temporary file next to ``target`` (missing
    folders are made), flushed to disk, renamed over ``target`` and its folder synced. On any
    failure the temporary file is removed and ``target`` is left as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as out:
            digest, size = copy_hashed(data, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
        _sync_directory(target.parent)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest, size


def copy_hashed(data: bytes | BinaryIO, out: BinaryIO) -> tuple[str, int]:
    """Write ``data`` to ``out`` in chunks; return its SHA-256 and size."""
    digest, size = hashlib.sha256(), 0
    for chunk in _chunks(data):
        digest.update(chunk)
        out.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _chunks(data: bytes | BinaryIO) -> Iterator[bytes]:
    """Yield the bytes of ``data`` in pieces, without loading a stream in memory."""
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start : start + CHUNK])
        return
    while chunk := data.read(CHUNK):
        yield chunk


def _sync_directory(directory: Path) -> None:
    """Flush a directory entry to disk, so that a rename survives a power cut (POSIX only)."""
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def open_stored(folder: str | Path, key: str) -> BinaryIO:
    """Open the file stored under ``key`` for reading (binary); the caller closes it."""
    try:
        return stored_path(folder, key).open("rb")
    except FileNotFoundError:
        raise StoredFileMissing("no file is stored under this key") from None


def delete_stored(folder: str | Path, key: str) -> bool:
    """Remove the file stored under ``key``; return whether there was one."""
    path = stored_path(folder, key)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    _sync_directory(path.parent)
    return True


def stored_keys(folder: str | Path) -> set[str]:
    """Return the keys of every complete file in ``folder`` (temporary files are not files)."""
    root = Path(folder)
    if not root.is_dir():
        return set()
    return {
        path.name
        for path in root.glob("??/*")
        if KEY.fullmatch(path.name) and path.parent.name == path.name[:2] and path.is_file()
    }


def leftover_temporary_files(folder: str | Path) -> list[Path]:
    """Return the temporary files in ``folder``: only a killed process can leave them."""
    root = Path(folder)
    return sorted(root.glob(f"??/{TEMPORARY_PREFIX}*")) if root.is_dir() else []
