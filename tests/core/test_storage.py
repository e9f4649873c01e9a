"""Atomic storage under random keys (lms.core.storage): SECURITY.md F25, F26."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from lms.core import storage
from lms.core.storage import (
    InvalidKey,
    StoredFileMissing,
    delete_stored,
    leftover_temporary_files,
    open_stored,
    store_bytes,
    stored_keys,
    stored_path,
    write_atomically,
)


def every_file(folder) -> list[str]:
    """Return every file under ``folder`` (temporary ones included), relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_stored_bytes_read_back_with_their_hash_and_size(tmp_path):
    stored = store_bytes(tmp_path, b"%PDF-1.7 rapport")
    assert stored.sha256 == hashlib.sha256(b"%PDF-1.7 rapport").hexdigest()
    assert stored.size == len(b"%PDF-1.7 rapport")
    with open_stored(tmp_path, stored.key) as stream:
        assert stream.read() == b"%PDF-1.7 rapport"
    assert every_file(tmp_path) == [f"{stored.key[:2]}/{stored.key}"]


def test_a_stream_is_copied_in_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "CHUNK", 7)
    data = bytes(range(256)) * 3
    stored = store_bytes(tmp_path, io.BytesIO(data))
    assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert stored_path(tmp_path, stored.key).read_bytes() == data


def test_keys_are_random_hex_and_never_the_uploaded_name(tmp_path):
    keys = {store_bytes(tmp_path, b"same").key for _ in range(20)}
    assert len(keys) == 20
    assert all(storage.KEY.fullmatch(key) for key in keys)
    assert stored_keys(tmp_path) == keys


@pytest.mark.parametrize(
    "key",
    ["../../etc/passwd", "..", "", "a" * 31, "A" * 32, "g" * 32, "0" * 31 + "/", "0" * 32 + "\0",
     "../" + "0" * 29, None, 12],
)  # fmt: skip
def test_anything_but_a_real_key_is_refused_before_touching_the_disk(tmp_path, key):
    with pytest.raises(InvalidKey):
        open_stored(tmp_path, key)
    with pytest.raises(InvalidKey):
        delete_stored(tmp_path, key)


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(StoredFileMissing):
        open_stored(tmp_path, "0" * 32)


def test_delete_removes_the_file_once(tmp_path):
    stored = store_bytes(tmp_path, b"x")
    assert delete_stored(tmp_path, stored.key) is True
    assert delete_stored(tmp_path, stored.key) is False
    assert stored_keys(tmp_path) == set()


class FailingStream(io.RawIOBase):
    """A stream that breaks after its first chunk, as a dropped upload does."""

    def __init__(self) -> None:
        self.calls = 0

    def read(self, size=-1) -> bytes:
        self.calls += 1
        if self.calls > 1:
            raise OSError("connection reset")
        return b"x" * 10


def test_a_failure_mid_write_leaves_nothing(tmp_path):
    with pytest.raises(OSError, match="connection reset"):
        store_bytes(tmp_path, FailingStream())
    assert every_file(tmp_path) == []
    assert stored_keys(tmp_path) == set()


def test_a_failure_at_the_rename_leaves_nothing(tmp_path, monkeypatch):
    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store_bytes(tmp_path, b"data")
    assert every_file(tmp_path) == []


def test_the_file_is_synced_before_it_gets_its_name(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(os, "replace", lambda a, b: events.append("replace") or real_replace(a, b))
    store_bytes(tmp_path, b"data")
    assert events == ["fsync", "replace", "fsync"]  # file, rename, then the directory


def test_temporary_files_are_not_stored_files(tmp_path):
    stored = store_bytes(tmp_path, b"data")
    leftover = stored_path(tmp_path, stored.key).parent / (storage.TEMPORARY_PREFIX + "abc")
    leftover.write_bytes(b"half")
    (tmp_path / "notes.txt").write_text("not a key")
    assert stored_keys(tmp_path) == {stored.key}
    assert leftover_temporary_files(tmp_path) == [leftover]


def test_an_absent_folder_holds_no_keys(tmp_path):
    assert stored_keys(tmp_path / "nothing") == set()
    assert leftover_temporary_files(tmp_path / "nothing") == []


def test_an_atomic_write_replaces_a_named_file_and_makes_its_folder(tmp_path):
    target = tmp_path / "backup" / "manifest.json"

    assert write_atomically(target, b"first") == (hashlib.sha256(b"first").hexdigest(), 5)
    write_atomically(target, io.BytesIO(b"second"))

    assert target.read_bytes() == b"second"
    assert every_file(tmp_path) == ["backup/manifest.json"]


def test_a_failed_atomic_write_keeps_the_former_file(tmp_path):
    target = tmp_path / "manifest.json"
    target.write_bytes(b"former")

    with pytest.raises(OSError, match="connection reset"):
        write_atomically(target, FailingStream())

    assert target.read_bytes() == b"former"
    assert every_file(tmp_path) == ["manifest.json"]
