"""Signing keys never live in the repository (SECURITY.md J42).

Keys belong to the instance folder (ignored by git) or to a path the settings give: no tracked
file may hold a private key, a PKCS#12 identity or a key store, whatever its name. The tests'
identities are made at run time in temporary folders.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A PEM private key with a real body: the tests' malformed samples ("not base64") stay allowed.
PRIVATE_PEM = re.compile(
    rb"-----BEGIN [A-Z ]*PRIVATE KEY-----\s+[A-Za-z0-9+/=\s]{64,}-----END [A-Z ]*PRIVATE KEY-----"
)
KEY_STORE_SUFFIXES = {".p12", ".pfx", ".jks", ".keystore", ".key"}


def tracked_files() -> list[Path]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked files cannot be listed")
    listed = subprocess.run(  # noqa: S603  git, listing this checkout
        [git, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return [ROOT / name for name in listed.decode().split("\0") if name]


def test_no_tracked_file_holds_a_private_key_or_a_key_store():
    def holds_a_key(path: Path) -> bool:
        if path.suffix.lower() in KEY_STORE_SUFFIXES:
            return True
        return path.is_file() and PRIVATE_PEM.search(path.read_bytes()) is not None

    assert [path for path in tracked_files() if holds_a_key(path)] == []


def test_the_check_finds_a_private_key():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    pem = Ed25519PrivateKey.generate().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    assert PRIVATE_PEM.search(b"settings = '''\n" + pem + b"'''\n")
    assert not PRIVATE_PEM.search(
        b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n"
    )


def test_the_instance_folder_is_ignored():
    assert "instance/" in (ROOT / ".gitignore").read_text().split()
