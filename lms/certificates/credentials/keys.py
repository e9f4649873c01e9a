"""The issuer's Ed25519 keys: private parts in files, public parts in the database.

- A private key is a PEM file ``<kid>.pem`` (mode 0600) in ``CREDENTIAL_KEYS_FOLDER`` (default
  ``keys/credentials`` in the instance folder, mode 0700); key ids sort by creation, to the
  second (``20261205T101500-1a2b3c``). The newest file whose key is not retired signs.
- Every key that signs is registered in ``credential_keys`` (its public key as a Multikey) the
  first time it is used, and published at ``verification_method(key)`` for good: credentials
  signed before a rotation keep verifying, from a backup too (backups never copy private keys).
- A key made outside production is a development key and says so in its id
  (``20261205T101500-dev-1a2b3c``): production refuses to sign with one.
- Outside production the first key is made on first use, so that a development instance and the
  tests sign without a setup step; production refuses to start without a key of its own
  (``production_key_problem``, checked by ``lms.create_app``). ``lms keys`` makes and rotates
  keys (``lms.certificates.credentials.rotation``, docs/keys.md).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
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
DEVELOPMENT_MARK = "-dev-"


class CredentialKeyMissing(RuntimeError):
    """No key may sign credentials here: run ``lms keys rotate`` (or ``create-dev``)."""


def folder_for(config: Mapping[str, Any], instance_path: str) -> Path:
    """Return the folder of the private credential keys for a configuration."""
    configured = config.get("CREDENTIAL_KEYS_FOLDER")
    return Path(str(configured)) if configured else Path(instance_path) / "keys" / "credentials"


def key_folder() -> Path:
    """Return the folder of the current application's private credential keys."""
    return folder_for(current_app.config, current_app.instance_path)


def new_kid(development: bool = False) -> str:
    """Return a key id that sorts by creation: the time (UTC, to the second) and 24 random bits."""
    mark = DEVELOPMENT_MARK if development else "-"
    return f"{utcnow():%Y%m%dT%H%M%S}{mark}{secrets.token_hex(3)}"


def is_development_kid(kid: str) -> bool:
    """Say whether a key was made outside production (production refuses to sign with it)."""
    return DEVELOPMENT_MARK in kid


def create_key_file(folder: Path | None = None, *, development: bool | None = None) -> str:
    """Write a new private key file and return its key id (not registered until it signs).

    ``development`` defaults to whether this instance is not in production.
    """
    folder = folder or key_folder()
    if development is None:
        development = current_app.config.get("ENV_NAME") != "production"
    kid = new_kid(development)
    pem = Ed25519PrivateKey.generate().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_atomically(folder / f"{kid}{KEY_SUFFIX}", pem)  # a temporary file of mode 0600
    (folder / f"{kid}{KEY_SUFFIX}").chmod(0o600)
    return kid


def key_files(folder: Path) -> list[Path]:
    """Return the private key files of a folder, oldest first."""
    return sorted(folder.glob(f"*{KEY_SUFFIX}")) if folder.is_dir() else []


def read_key_file(path: Path) -> Ed25519PrivateKey:
    """Return the private key of a file; ``CredentialKeyMissing`` saying what is wrong with it."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CredentialKeyMissing(f"{path} cannot be read: {error.strerror or error}") from None
    try:
        private_key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise CredentialKeyMissing(
            f"{path} is not a PEM private key without passphrase (damaged or not a key)"
        ) from None
    if not isinstance(private_key, Ed25519PrivateKey):
        raise CredentialKeyMissing(
            f"{path} holds {_kind(private_key)} key, not an Ed25519 key (credentials are "
            "signed with eddsa-rdfc-2022)"
        )
    return private_key


def _kind(private_key: object) -> str:
    if isinstance(private_key, rsa.RSAPrivateKey):
        return "an RSA"
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return f"an elliptic-curve ({private_key.curve.name})"
    return f"another kind of ({type(private_key).__name__})"


def production_key_problem(config: Mapping[str, Any], instance_path: str) -> str | None:
    """Return why a production instance may not sign credentials with its key files, or None.

    Reads files only (``lms.create_app`` calls it before the database is set up): a rotation
    removes the retired key's file, so the newest file is the key that signs.
    """
    folder = folder_for(config, instance_path)
    files = key_files(folder)
    if not files:
        return (
            f"no credential signing key in {folder}: run `lms keys rotate` to make one "
            "(CREDENTIAL_KEYS_FOLDER, docs/keys.md)"
        )
    try:
        read_key_file(files[-1])
    except CredentialKeyMissing as error:
        return f"the credential signing key {error}"
    if is_development_kid(files[-1].stem):
        return (
            f"the credential signing key {files[-1].stem} is a development key; production "
            "needs its own: run `lms keys rotate` (docs/keys.md)"
        )
    return None


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
    files = [path for path in key_files(folder) if path.stem not in retired]
    production = current_app.config.get("ENV_NAME") == "production"
    if not files:
        if production:
            raise CredentialKeyMissing(f"no credential key in {folder}: run `lms keys rotate`")
        create_key_file(folder, development=True)
        files = [path for path in key_files(folder) if path.stem not in retired]
    path = files[-1]
    if production and is_development_kid(path.stem):
        raise CredentialKeyMissing(f"{path.stem} is a development key: run `lms keys rotate`")
    private_key = read_key_file(path)
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
