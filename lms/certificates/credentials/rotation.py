"""Making, rotating and listing the issuer's keys: the use cases of ``lms keys`` (docs/keys.md).

- ``create_development_keys``: a development PDF signing identity (``lms.core.pades_identity``)
  and a first credential key, each only where none exists; refused in production.
- ``rotate_key``: a new Ed25519 key signs from now on; every key that signed before is retired
  (``retired_at``) but stays published, so that earlier credentials keep verifying; every status
  list is signed again with the new key. Once the caller has committed,
  ``remove_retired_files`` deletes the retired keys' private files: nothing may sign with them
  again, and a file that is not there cannot leak. A rotation interrupted before the commit
  leaves the new key's file alone in front (it signs from then on) and the previous one not
  retired; running the command again finishes it.
- ``list_keys`` and ``signing_identity``: what ``lms keys list`` shows.

Services flush; the command commits.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from flask import current_app

from lms.certificates.credentials import keys
from lms.certificates.credentials.models import CredentialKey
from lms.certificates.credentials.status import resign_all
from lms.core.pades import SigningError, is_development_certificate, load_identity, pkcs12_path
from lms.core.pades_identity import PKCS12_NAME, create_development_identity
from lms.core.time import utcnow
from lms.extensions import db


class KeyAdminError(RuntimeError):
    """A key cannot be made, read or rotated; the message says which file and why."""


@dataclass(frozen=True)
class Rotation:
    """What a rotation did: the new key, the keys it retired, the status lists signed again."""

    new: CredentialKey
    retired: list[CredentialKey]
    lists_signed: int


@dataclass(frozen=True)
class KeyState:
    """One credential key as ``lms keys list`` shows it."""

    kid: str
    created_at: datetime | None
    retired_at: datetime | None
    has_private_file: bool
    is_current: bool
    is_development: bool
    published: bool


@dataclass(frozen=True)
class IdentityState:
    """The PDF signing identity: where it is, its certificate, or why it cannot be read."""

    path: Path
    certificate: x509.Certificate | None = None
    problem: str | None = None

    @property
    def is_development(self) -> bool:
        """Whether the certificate is a development one (production refuses it)."""
        return self.certificate is not None and is_development_certificate(self.certificate)


def _production() -> bool:
    return current_app.config.get("ENV_NAME") == "production"


def check_writable(folder: Path) -> None:
    """Make the folder if needed and check that a file can be written in it."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise KeyAdminError(
            f"cannot write in {folder}: {error.strerror or error} (check the folder's owner and "
            "permissions, or set CREDENTIAL_KEYS_FOLDER)"
        ) from None


def _active_files(folder: Path) -> list[Path]:
    """Return the key files of keys not retired, oldest first."""
    retired = set(
        db.session.scalars(
            db.select(CredentialKey.kid).where(CredentialKey.retired_at.is_not(None))
        )
    )
    return [path for path in keys.key_files(folder) if path.stem not in retired]


def _read(path: Path):
    try:
        return keys.read_key_file(path)
    except keys.CredentialKeyMissing as error:
        raise KeyAdminError(
            f"{error}: move it out of {path.parent} (or restore it from your own copy), then "
            "run the command again"
        ) from None


def create_development_keys() -> list[str]:
    """Make what a development instance signs with, where missing; return what was done."""
    if _production():
        raise KeyAdminError(
            "`lms keys create-dev` makes development keys, which production refuses: set "
            "LMS_SIGNING_PKCS12 to the organisation's certificate and run `lms keys rotate`"
        )
    config, instance = current_app.config, Path(current_app.instance_path)
    done = []
    path = pkcs12_path(config, str(instance))
    if path is not None and not path.is_file():
        raise KeyAdminError(
            f"LMS_SIGNING_PKCS12 names {path}, which does not exist: unset it to let "
            f"`lms keys create-dev` write keys/{PKCS12_NAME}, or put the file there"
        )
    if path is not None:
        done.append(f"PDF signing identity kept: {path}")
    else:
        check_writable(instance / "keys")
        organisation = (
            config.get("CERTIFICATE_ORGANISATION")
            or config.get("TRAINING_ORGANISATION_NAME")
            or "Organisation"
        )
        identity = create_development_identity(instance / "keys", str(organisation))
        done.append(
            f"PDF signing identity created: {identity.pkcs12} (development CA {identity.ca}: "
            "trust it in a PDF reader to see signatures as valid)"
        )
    folder = keys.key_folder()
    active = _active_files(folder)
    if active:
        private_key = _read(active[-1])
        keys.register(active[-1].stem, private_key)
        done.append(f"Credential key kept: {active[-1].stem}")
    else:
        check_writable(folder)
        kid = keys.create_key_file(folder, development=True)
        keys.register(kid, _read(folder / f"{kid}{keys.KEY_SUFFIX}"))
        done.append(f"Credential key created: {kid} (in {folder})")
    return done


def rotate_key() -> Rotation:
    """Make a new signing key, retire the previous ones, sign every status list again."""
    folder = keys.key_folder()
    check_writable(folder)
    previous = [(path.stem, _read(path)) for path in _active_files(folder)]
    kid = keys.create_key_file(folder, development=not _production())
    try:
        now = utcnow()
        retired = []
        for previous_kid, private_key in previous:
            row = keys.register(previous_kid, private_key)  # published, even if it never signed
            row.retired_at = now
            retired.append(row)
        new = keys.register(kid, keys.read_key_file(folder / f"{kid}{keys.KEY_SUFFIX}"))
        db.session.flush()
        lists_signed = resign_all()
    except BaseException:
        (folder / f"{kid}{keys.KEY_SUFFIX}").unlink(missing_ok=True)
        raise
    return Rotation(new=new, retired=retired, lists_signed=lists_signed)


def remove_retired_files() -> list[Path]:
    """Delete the private files of retired keys (after the rotation's commit); return them."""
    folder = keys.key_folder()
    retired = set(
        db.session.scalars(
            db.select(CredentialKey.kid).where(CredentialKey.retired_at.is_not(None))
        )
    )
    removed = []
    for path in keys.key_files(folder):
        if path.stem in retired:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def list_keys() -> list[KeyState]:
    """Return every credential key, published or only on disk, oldest first."""
    folder = keys.key_folder()
    rows = {row.kid: row for row in db.session.scalars(db.select(CredentialKey))}
    files = {path.stem for path in keys.key_files(folder)}
    active = [path.stem for path in _active_files(folder)]
    current = active[-1] if active else None
    states = []
    for kid in sorted(set(rows) | files):
        row = rows.get(kid)
        states.append(
            KeyState(
                kid=kid,
                created_at=row.created_at if row else _file_time(folder / f"{kid}.pem"),
                retired_at=row.retired_at if row else None,
                has_private_file=kid in files,
                is_current=kid == current,
                is_development=keys.is_development_kid(kid),
                published=row is not None,
            )
        )
    return states


def _file_time(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime).astimezone()
    except OSError:
        return None


def signing_identity() -> IdentityState | None:
    """Return the PDF signing identity's state, or None when no identity is configured."""
    config = current_app.config
    path = pkcs12_path(config, current_app.instance_path)
    if path is None:
        return None
    try:
        identity = load_identity(path, config.get("SIGNING_PKCS12_PASSPHRASE"))
    except SigningError as error:
        return IdentityState(path, problem=str(error))
    return IdentityState(path, certificate=identity.certificate)
