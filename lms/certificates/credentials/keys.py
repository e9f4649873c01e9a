"""The issuer's Ed25519 keys: private parts in files, public parts in the database.

- A private key is a PEM file ``<kid>.pem`` (mode 0600) in ``CREDENTIAL_KEYS_FOLDER`` (default
  ``keys/credentials`` in the instance folder); key ids sort by creation (``20261205-1a2b3c``).
  The newest file whose key is not retired signs.
- Every key that signs is registered in ``credential_keys`` (its public key as a Multikey) the
  first time it is used, and published at ``verification_method(key)`` for good: credentials
  signed before a rotation keep verifying, from a backup too (backups never copy private keys).
- Outside production the first key is made on first use, so that a development instance and the
  tests sign without a setup step; production refuses to start without one (``lms.config``).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.accounts.tokens import link_to
from lms.certificates.credentials.models import CredentialKey
from lms.core.dataintegrity import multikey, public_key_from_multikey
from lms.core.storage import write_atomically
from lms.core.time import utcnow
from lms.extensions import db

KEY_SUFFIX = ".pem"


class CredentialKeyMissing(RuntimeError):
    """No key may sign credentials here: run ``lms keys rotate`` (or ``create-dev``)."""


def key_folder() -> Path:
    """Return the folder of the private credential keys."""
    configured = current_app.config.get("CREDENTIAL_KEYS_FOLDER")
    return (
        Path(configured) if configured else Path(current_app.instance_path) / "keys" / "credentials"
    )


def new_kid() -> str:
    """Return a key id that sorts by creation: the day and 24 random bits."""
    return f"{utcnow():%Y%m%d}-{secrets.token_hex(3)}"


def create_key_file(folder: Path | None = None) -> str:
    """Write a new private key file and return its key id (not registered until it signs)."""
    folder = folder or key_folder()
    kid = new_kid()
    pem = Ed25519PrivateKey.generate().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    write_atomically(folder / f"{kid}{KEY_SUFFIX}", pem)
    (folder / f"{kid}{KEY_SUFFIX}").chmod(0o600)
    return kid


def _key_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{KEY_SUFFIX}")) if folder.is_dir() else []


def register(kid: str, private_key: Ed25519PrivateKey) -> CredentialKey:
    """Return the key's row, adding it when the key signs for the first time.

    Two processes signing their first credential at once (a batch's workers) both add it: the
    insert yields to the row the other one wrote (ON CONFLICT DO NOTHING) instead of failing.
    """
    query = db.select(CredentialKey).filter_by(kid=kid)
    row = db.session.scalar(query)
    if row is None:
        dialect = db.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        values = {
            "kid": kid,
            "public_key_multibase": multikey(private_key.public_key()),
            "created_at": utcnow(),
        }
        db.session.execute(insert(CredentialKey).values(**values).on_conflict_do_nothing())
        row = db.session.scalar(query)
    assert row is not None  # inserted now, or by the process that won
    return row


def current_key() -> tuple[CredentialKey, Ed25519PrivateKey]:
    """Return the key that signs now, with its row; raise ``CredentialKeyMissing`` if none."""
    folder = key_folder()
    retired = set(
        db.session.scalars(
            db.select(CredentialKey.kid).where(CredentialKey.retired_at.is_not(None))
        )
    )
    files = [path for path in _key_files(folder) if path.stem not in retired]
    if not files:
        if current_app.config.get("ENV_NAME") == "production":
            raise CredentialKeyMissing(f"no credential key in {folder}: run `lms keys rotate`")
        create_key_file(folder)
        files = _key_files(folder)
    path = files[-1]
    private_key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private_key, Ed25519PrivateKey):
        raise CredentialKeyMissing(f"{path} is not an Ed25519 private key")
    return register(path.stem, private_key), private_key


def verification_method(key: CredentialKey) -> str:
    """Return the URL that publishes the key as a Multikey (the proofs' verification method)."""
    return link_to("credentials.verification_method", kid=key.kid)


def public_key_for(method: str) -> Ed25519PublicKey | None:
    """Return the public key of one of our verification methods, or None for any other URL."""
    kid = method.rstrip("/").rsplit("/", 1)[-1]
    if len(kid) > 40:
        return None
    key = db.session.scalar(db.select(CredentialKey).filter_by(kid=kid))
    if key is None or verification_method(key) != method:
        return None
    return public_key_from_multikey(key.public_key_multibase)
