"""``lms keys create-dev``, ``rotate`` and ``list``: keys made where missing, rotated without
breaking earlier credentials, and every broken key file named in a plain error.

Each test gets its own instance folder and key folder (the session's are left alone).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from lms import create_app
from lms.certificates.credentials import keys, status
from lms.certificates.credentials.models import CredentialKey, StatusList
from lms.config import ConfigError
from lms.core import dataintegrity
from lms.core.pades_identity import CA_NAME, PKCS12_NAME
from lms.extensions import db
from tests.certificates.credentials.support import credential_document, sign


@pytest.fixture
def instance(app, tmp_path, monkeypatch) -> Path:
    """Give the application an empty instance folder of its own for the test."""
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setattr(app, "instance_path", str(folder))
    monkeypatch.setitem(app.config, "CREDENTIAL_KEYS_FOLDER", None)
    monkeypatch.setitem(app.config, "SIGNING_PKCS12", None)
    return folder


def run(app, *args: str):
    """Run ``lms keys …`` and return click's result."""
    return app.test_cli_runner().invoke(args=["keys", *args])


def key_files(instance: Path) -> list[str]:
    return sorted(path.stem for path in (instance / "keys" / "credentials").glob("*.pem"))


def write_key(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.pem"
    path.write_bytes(data)
    return path


def test_create_dev_makes_both_identities_once(app, instance):
    first = run(app, "create-dev")

    assert first.exit_code == 0, first.output
    assert f"PDF signing identity created: {instance / 'keys' / PKCS12_NAME}" in first.output
    [kid] = key_files(instance)
    assert keys.is_development_kid(kid)
    assert f"Credential key created: {kid}" in first.output
    assert stat.S_IMODE((instance / "keys" / PKCS12_NAME).stat().st_mode) == 0o600
    assert stat.S_IMODE((instance / "keys" / "credentials" / f"{kid}.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((instance / "keys" / "credentials").stat().st_mode) == 0o700
    assert (instance / "keys" / CA_NAME).is_file()
    assert db.session.scalar(db.select(CredentialKey.kid)) == kid  # published at once
    p12 = (instance / "keys" / PKCS12_NAME).read_bytes()

    again = run(app, "create-dev")

    assert again.exit_code == 0, again.output
    assert f"PDF signing identity kept: {instance / 'keys' / PKCS12_NAME}" in again.output
    assert f"Credential key kept: {kid}" in again.output
    assert key_files(instance) == [kid]
    assert (instance / "keys" / PKCS12_NAME).read_bytes() == p12


def test_create_dev_is_refused_in_production(app, instance, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")

    result = run(app, "create-dev")

    assert result.exit_code == 1
    assert "makes development keys, which production refuses" in result.output
    assert not (instance / "keys").exists()


def test_create_dev_says_when_the_configured_identity_is_missing(app, instance, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNING_PKCS12", str(instance / "elsewhere.p12"))

    result = run(app, "create-dev")

    assert result.exit_code == 1
    assert f"LMS_SIGNING_PKCS12 names {instance / 'elsewhere.p12'}, which does not exist" in (
        result.output
    )


def test_rotation_keeps_earlier_credentials_verifying(app, instance):
    earlier = sign(credential_document(1, 0))  # signs with a first key made on first use
    status_list = status._new_list()
    status.sign_list(status_list)
    db.session.commit()
    [old_kid] = key_files(instance)
    old_method = earlier["proof"]["verificationMethod"]

    result = run(app, "rotate")

    assert result.exit_code == 0, result.output
    [new_kid] = key_files(instance)  # the retired key's private file is gone
    assert new_kid != old_kid
    new_row = db.session.scalar(db.select(CredentialKey).filter_by(kid=new_kid))
    old_row = db.session.scalar(db.select(CredentialKey).filter_by(kid=old_kid))
    assert old_row.retired_at is not None
    assert new_row.retired_at is None
    assert f"New signing key: {new_kid}" in result.output
    assert f"Verification method: {keys.verification_method(new_row)}" in result.output
    assert f"Retired (still published, its private file deleted): {old_kid}" in result.output
    assert "Status lists signed again: 1" in result.output
    # Earlier credentials still verify with the published (retired) key; new ones use the new.
    assert dataintegrity.verify(earlier, keys.public_key_for).valid
    assert app.test_client().get(old_method.removeprefix("http://localhost")).status_code == 200
    later = sign(credential_document(1, 1))
    assert later["proof"]["verificationMethod"].endswith(new_kid)
    assert dataintegrity.verify(later, keys.public_key_for).valid
    relisted = db.session.get(StatusList, status_list.id)
    assert relisted.signed["proof"]["verificationMethod"].endswith(new_kid)
    assert dataintegrity.verify(relisted.signed, keys.public_key_for).valid


def test_rotation_with_no_key_yet_makes_the_first(app, instance):
    result = run(app, "rotate")

    assert result.exit_code == 0, result.output
    [kid] = key_files(instance)
    assert f"New signing key: {kid}" in result.output
    assert "Retired" not in result.output
    assert "Status lists signed again: 0" in result.output


def test_production_rotation_makes_a_production_key(app, instance, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")

    result = run(app, "rotate")

    assert result.exit_code == 0, result.output
    [kid] = key_files(instance)
    assert not keys.is_development_kid(kid)


def ec_key_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n", "not a PEM"),
        (b"", "not a PEM private key"),
        (None, "holds an elliptic-curve (secp256r1) key, not an Ed25519 key"),
    ],
    ids=["corrupt", "empty", "not-ed25519"],
)
@pytest.mark.parametrize("command", ["rotate", "create-dev"])
def test_a_broken_key_file_is_named(app, instance, content, problem, command):
    path = write_key(
        instance / "keys" / "credentials",
        "20260101T000000-1a2b3c",
        ec_key_pem() if content is None else content,
    )
    (instance / "keys").mkdir(exist_ok=True)
    if command == "create-dev":  # the PDF identity is not the subject here
        (instance / "keys" / PKCS12_NAME).write_bytes(b"")

    result = run(app, command)

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"Error: {path}" in result.output
    assert problem in result.output
    assert "move it out of" in result.output
    assert key_files(instance) == ["20260101T000000-1a2b3c"]  # nothing made, nothing lost
    assert db.session.scalar(db.select(db.func.count()).select_from(CredentialKey)) == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only folders")
def test_an_unwritable_key_folder_is_named(app, instance):
    folder = instance / "keys" / "credentials"
    folder.mkdir(parents=True)
    folder.chmod(0o500)
    try:
        result = run(app, "rotate")
    finally:
        folder.chmod(0o700)

    assert result.exit_code == 1
    assert f"Error: cannot write in {folder}: Permission denied" in result.output
    assert key_files(instance) == []


def test_list_shows_keys_and_the_signing_certificate(app, instance):
    assert run(app, "create-dev").exit_code == 0
    [first] = key_files(instance)
    assert run(app, "rotate").exit_code == 0
    [second] = key_files(instance)

    result = run(app, "list")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    [old_line] = [line for line in lines if first in line]
    [new_line] = [line for line in lines if second in line]
    assert "retired" in old_line
    assert "no private file" in old_line
    assert "current" not in old_line
    assert "active" in new_line
    assert "current" in new_line
    assert "private file present" in new_line
    assert "development" in new_line
    assert f"PDF signing (development): {instance / 'keys' / PKCS12_NAME}" in result.output
    assert "subject: " in result.output
    assert "Development only" in result.output
    assert "valid from " in result.output


def test_list_with_nothing_says_so(app, instance):
    result = run(app, "list")

    assert result.exit_code == 0, result.output
    assert "none yet" in result.output
    assert "PDF signing: no identity configured" in result.output


def production(tmp_path: Path, production_settings: dict[str, str], **changes: str):
    """Create a production application with the given settings changed."""
    settings = {
        **production_settings,
        "ENV_NAME": "production",
        "SECRET_KEY": "a-production-secret-key-of-sufficient-length-0123",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "prod.sqlite3"),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        **changes,
    }
    return create_app(settings)


def test_production_starts_only_with_a_production_credential_key(tmp_path, production_settings):
    assert production(tmp_path, production_settings)  # a production key: it starts

    empty = tmp_path / "empty"
    with pytest.raises(ConfigError, match=r"no credential signing key in .*empty: run `lms keys"):
        production(tmp_path, production_settings, CREDENTIAL_KEYS_FOLDER=str(empty))
    development = tmp_path / "development"
    kid = keys.create_key_file(development, development=True)
    with pytest.raises(ConfigError, match=f"{kid} is a development key"):
        production(tmp_path, production_settings, CREDENTIAL_KEYS_FOLDER=str(development))
    broken = tmp_path / "broken"
    write_key(broken, "20260101T000000-1a2b3c", ec_key_pem())
    with pytest.raises(ConfigError, match=r"elliptic-curve \(secp256r1\) key, not an Ed25519 key"):
        production(tmp_path, production_settings, CREDENTIAL_KEYS_FOLDER=str(broken))


@pytest.mark.parametrize("command", ["rotate", "create-dev"])
def test_a_key_folder_that_cannot_be_made_is_named(app, instance, monkeypatch, command):
    blocker = instance / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setitem(app.config, "CREDENTIAL_KEYS_FOLDER", str(blocker / "credentials"))
    (instance / "keys").mkdir()
    (instance / "keys" / PKCS12_NAME).write_bytes(b"")  # the PDF identity is not the subject

    result = run(app, command)

    assert result.exit_code == 1
    assert f"Error: cannot write in {blocker / 'credentials'}: Not a directory" in result.output
    assert "CREDENTIAL_KEYS_FOLDER" in result.output
