"""``lms backup`` and ``lms restore`` (SECURITY.md H35): a restored instance has the same rows,
its files match their SHA-256, and its certificates still verify.

The source is the session's database (SQLite, or PostgreSQL with ``LMS_TEST_DATABASE_URL``),
stamped with the migrations' head as ``lms db upgrade`` would leave it. Each restore goes into a
fresh instance: a second application on a new SQLite file, or on the database
``<test database>_restore`` (dropped and created again) on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from lms import create_app
from lms.certificates.issuing import open_certificate_pdf
from lms.certificates.models import Certificate
from lms.core import storage
from lms.core.storage import store_bytes
from lms.extensions import db
from lms.operations import database, files
from lms.operations.database import code_head, libpq_connection, postgresql_tool
from lms.operations.errors import BackupError
from tests.assessments.assignments.support import stored_submission_file
from tests.factories import AssessmentFactory, CertificateFactory, UserFactory
from tests.learning.helpers import make_bien_vivre_path

SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"  # the session app's (conftest)
CERTIFICATE_PDF = b"%PDF-1.7\n% certificate\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ALEMBIC_TABLE = "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"


@dataclass
class World:
    """What the tests look for after a restore: the learner's stored file and certificate."""

    submission_key: str
    certificate_code: str


@pytest.fixture
def stamped(app) -> Iterator[None]:
    """Record the migrations' head in the session database, as ``lms db upgrade`` does."""
    with db.engine.begin() as connection:
        before = None
        if "alembic_version" in inspect(connection).get_table_names():
            before = list(connection.scalars(text("SELECT version_num FROM alembic_version")))
            connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text(ALEMBIC_TABLE))
        connection.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": code_head()})
    yield
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        if before is not None:  # leave the database as it was found
            connection.execute(text(ALEMBIC_TABLE))
            for version in before:
                connection.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": version})


@pytest.fixture
def world(app, stamped) -> World:
    """Fill the source instance: the shipped path, a cohort, learners, a stored file and PDF."""
    instance = Path(app.instance_path)
    for folder in files.storage_folders(instance):  # earlier tests' files are not this test's
        shutil.rmtree(instance / folder)
    bien_vivre = make_bien_vivre_path(opened=("M1", "M2"))
    learner = bien_vivre.enrol_learner(completed=("M1",), display_name="Léa Dupré")
    bien_vivre.enrol_learner(display_name="Omar Other")
    UserFactory(admin=True)
    assignment = AssessmentFactory(module=bien_vivre.modules["M2"], code="M2-A1")
    upload = stored_submission_file(assignment, learner)
    cohort = bien_vivre.cohort
    certificate = CertificateFactory(learner=learner, cohort=cohort, pdf=CERTIFICATE_PDF)
    return World(upload.storage_key, certificate.code)


def certificate_verifies(target: Flask, code: str) -> bool:
    """Tell whether ``target`` verifies the certificate publicly and its stored PDF matches.

    The certificate's page (JSON) says it is valid, its stored PDF has the SHA-256 the page
    states, and dropping that PDF on the check form finds the certificate, unaltered.
    """
    client = target.test_client()
    facts = client.get(f"/verify/{code}.json").get_json()
    certificate = db.session.scalar(db.select(Certificate).filter_by(code=code))
    with open_certificate_pdf(certificate) as stored:
        pdf = stored.read()
    dropped = client.post(
        "/verify/check",
        data={"pdf": (io.BytesIO(pdf), "certificat.pdf")},
        content_type="multipart/form-data",
    )
    return (
        facts["state"] == "valid"
        and facts["pdf_sha256"] == hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
        and f"This file is certificate {facts['number']}" in dropped.get_data(as_text=True)
    )


def sha256(path: Path) -> str:
    """Return the SHA-256 (hex) of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def restore_url(database_url) -> Iterator[str | None]:
    """Create ``<test database>_restore`` once on PostgreSQL (None on SQLite), dropped after."""
    if database_url.startswith("sqlite"):
        yield None
        return
    url = make_url(database_url)
    name = f"{url.database}_restore"
    server = _server(database_url)
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as error:
        pytest.skip(f"cannot create the database {name} to restore into: {error}")
    finally:
        server.dispose()
    yield url.set(database=name).render_as_string(hide_password=False)
    server = _server(database_url)
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


@pytest.fixture
def make_target(app, restore_url, tmp_path) -> Iterator[Callable[..., Flask]]:
    """Return a factory of fresh, empty instances (their own folder and database)."""
    made: list[Flask] = []

    def make(secret_key: str = SECRET_KEY) -> Flask:
        folder = tmp_path / f"target-{len(made)}"
        folder.mkdir()
        target = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": secret_key,
                "SQLALCHEMY_DATABASE_URI": restore_url or f"sqlite:///{folder / 'lms.sqlite3'}",
                "BABEL_DEFAULT_LOCALE": "en",
                "WTF_CSRF_ENABLED": False,
                "INSTANCE_PATH": str(folder / "instance"),
            }
        )
        made.append(target)
        if restore_url:
            _empty_schema(target)
        return target

    yield make
    for target in made:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()


def _empty_schema(target: Flask) -> None:
    """Empty the PostgreSQL restore database (quicker than dropping and creating it)."""
    with target.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        db.engine.dispose()


def _server(database_url: str):
    """Return an engine on the test server that runs CREATE and DROP DATABASE (autocommit)."""
    from lms.config import normalise_database_url

    return create_engine(normalise_database_url(database_url), isolation_level="AUTOCOMMIT")


def run_backup(app, directory: Path):
    """Run ``lms backup DIRECTORY`` in the session application."""
    return app.test_cli_runner().invoke(args=["backup", str(directory)])


def run_restore(target: Flask, directory: Path):
    """Run ``lms restore DIRECTORY`` in ``target``, inside its own application context."""
    with target.app_context():
        return target.test_cli_runner().invoke(args=["restore", str(directory)])


def table_rows(connection, name: str) -> list[tuple]:
    """Return every row of a table, ordered by its primary key."""
    keys = inspect(connection).get_pk_constraint(name)["constrained_columns"]
    order = ", ".join(f'"{key}"' for key in keys) or "1"
    query = text(f'SELECT * FROM "{name}" ORDER BY {order}')  # noqa: S608
    return [tuple(row) for row in connection.execute(query)]


@pytest.fixture
def backup_dir(app, world, tmp_path) -> Path:
    """Back up the filled source instance; return the backup folder."""
    directory = tmp_path / "backup"
    result = run_backup(app, directory)
    assert result.exit_code == 0, result.output
    assert "files: 2, bytes: " in result.output  # the learner's file and the certificate
    return directory


def test_restore_gives_the_same_rows_files_and_certificates(app, world, backup_dir, make_target):
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    dialect = db.engine.dialect.name
    with db.engine.connect() as connection:
        source_rows = database.database_rows(connection)
        tables = {name: table_rows(connection, name) for name in source_rows}
    assert manifest["format_version"] == 1
    assert manifest["database"]["dialect"] == dialect
    assert manifest["database"]["alembic_revision"] == code_head()
    assert manifest["database"]["rows"] == source_rows
    assert source_rows["users"] == 3
    assert source_rows["certificates"] == 1
    listed = {item["path"]: item for item in manifest["files"]}
    upload = f"files/uploads/{world.submission_key[:2]}/{world.submission_key}"
    assert listed[upload]["sha256"] == sha256(backup_dir / upload)
    assert len([path for path in listed if path.startswith("files/certificates/")]) == 1
    assert all(sha256(backup_dir / path) == item["sha256"] for path, item in listed.items())

    target = make_target()
    result = run_restore(target, backup_dir)

    assert result.exit_code == 0, result.output
    assert "(tables: " in result.output
    assert "files: 2); row counts match the manifest" in result.output
    assert "Warning" not in result.output
    instance = Path(target.instance_path)
    with target.app_context():
        with db.engine.connect() as connection:
            assert database.database_rows(connection) == source_rows
            assert {name: table_rows(connection, name) for name in source_rows} == tables
        for path, item in listed.items():
            if path.startswith("files/"):
                restored = instance / path.removeprefix("files/")
                assert sha256(restored) == item["sha256"], path
        assert certificate_verifies(target, world.certificate_code)
        UserFactory()  # restored sequences: a new row takes a new id
        assert database.database_rows()["users"] == source_rows["users"] + 1
        pdf = next((instance / "certificates").glob("??/*"))
        pdf.write_bytes(pdf.read_bytes() + b"%")  # the check notices an altered PDF
        assert not certificate_verifies(target, world.certificate_code)


def test_restore_into_a_database_with_its_schema_but_no_rows(backup_dir, make_target):
    target = make_target()
    with target.app_context():  # as ``lms db upgrade`` leaves a new database
        db.create_all()
        with db.engine.begin() as connection:
            connection.execute(text(ALEMBIC_TABLE))
            connection.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": code_head()})

    result = run_restore(target, backup_dir)

    assert result.exit_code == 0, result.output
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    with target.app_context():
        assert database.database_rows() == manifest["database"]["rows"]


def test_restore_refuses_a_tampered_file_and_names_it(world, backup_dir, make_target):
    key = world.submission_key
    tampered = backup_dir / "files" / "uploads" / key[:2] / key
    tampered.write_bytes(tampered.read_bytes() + b" ")

    target = make_target()
    result = run_restore(target, backup_dir)

    assert result.exit_code == 1
    assert f"files/uploads/{key[:2]}/{key} does not match its SHA-256" in result.output
    assert not (Path(target.instance_path) / "uploads").exists()
    with target.app_context():
        assert not any(database.database_rows().values())


def test_restore_refuses_a_missing_file(world, backup_dir, make_target):
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    missing = manifest["files"][-1]["path"]
    (backup_dir / missing).unlink()

    result = run_restore(make_target(), backup_dir)

    assert result.exit_code == 1
    assert f"The backup is damaged: {missing} is missing." in result.output


def test_restore_refuses_an_instance_with_rows(app, backup_dir):
    result = run_restore(app, backup_dir)

    assert result.exit_code == 1
    assert "This instance is not empty: its database has rows" in result.output
    assert "Nothing was changed" not in result.output  # refused before anything started


def test_restore_refuses_an_instance_with_stored_files(backup_dir, make_target):
    target = make_target()
    store_bytes(Path(target.instance_path) / "certificates", b"%PDF-1.7 earlier")

    result = run_restore(target, backup_dir)

    assert result.exit_code == 1
    assert "certificates already holds stored files" in result.output
    with target.app_context():
        assert not any(database.database_rows().values())


def test_restore_warns_when_the_secret_key_differs(backup_dir, make_target):
    result = run_restore(make_target(secret_key="another-key-" + "x" * 40), backup_dir)

    assert result.exit_code == 0, result.output
    assert "second factors cannot be checked" in result.output
    assert "lms reset-two-factor" in result.output


def test_restore_accepts_the_former_key_as_a_fallback(backup_dir, make_target):
    target = make_target(secret_key="another-key-" + "x" * 40)
    target.config["SECRET_KEY_FALLBACKS"] = [SECRET_KEY]

    result = run_restore(target, backup_dir)

    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output


def test_backup_folder_is_private(backup_dir):
    assert stat.S_IMODE(backup_dir.stat().st_mode) & 0o077 == 0


def edit_manifest(directory: Path, change: Callable[[dict], None]) -> None:
    """Rewrite the backup's manifest after ``change`` has modified it."""
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(format_version=2), "Unknown backup format lms-backup version 2"),
        (
            lambda m: m["database"].update(alembic_revision="0123abcd"),
            "The backup's database is at migration 0123abcd",
        ),
        (
            lambda m: m["files"].append({"path": "files/../../lms.cfg", "size": 1, "sha256": ""}),
            "manifest.json names a file outside the backup layout: files/../../lms.cfg",
        ),
        (lambda m: m.pop("files"), "manifest.json is not a backup manifest"),
    ],
)
def test_restore_refuses_a_manifest_it_cannot_trust(backup_dir, make_target, change, message):
    edit_manifest(backup_dir, change)

    result = run_restore(make_target(), backup_dir)

    assert result.exit_code == 1
    assert message in result.output


def test_restore_refuses_a_backup_of_another_database(backup_dir, make_target):
    other = "postgresql" if db.engine.dialect.name == "sqlite" else "sqlite"
    edit_manifest(backup_dir, lambda m: m["database"].update(dialect=other))

    result = run_restore(make_target(), backup_dir)

    assert result.exit_code == 1
    assert f"The backup is of a {other} database" in result.output


def test_restore_refuses_a_folder_without_manifest(make_target, tmp_path):
    result = run_restore(make_target(), tmp_path)

    assert result.exit_code == 1
    assert "has no manifest.json: it is not a finished backup" in result.output


def test_failed_restore_says_what_was_done_and_how_to_retry(backup_dir, make_target, monkeypatch):
    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "copy_file", disk_full)
    target = make_target()

    result = run_restore(target, backup_dir)

    assert result.exit_code == 1
    assert "The restore failed: [Errno 28] No space left on device" in result.output
    assert "the database was restored, 0 of 2 files were copied" in result.output
    assert "To retry:" in result.output
    assert str(Path(target.instance_path) / "uploads") in result.output


def test_backup_refuses_a_folder_that_is_not_empty(app, stamped, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "notes.txt").write_text("keep")

    result = run_backup(app, tmp_path / "old")

    assert result.exit_code == 1
    assert "is not empty: give a new or empty folder" in result.output
    assert sorted(path.name for path in (tmp_path / "old").iterdir()) == ["notes.txt"]


def test_backup_skips_a_file_deleted_while_it_runs(app, world, monkeypatch, tmp_path):
    listed = storage.stored_keys
    deleted = "0" * 32  # listed, then gone before its copy (a replaced draft, say)
    monkeypatch.setattr(
        storage,
        "stored_keys",
        lambda folder: listed(folder) | {deleted} if listed(folder) else set(),
    )

    result = run_backup(app, tmp_path / "backup")

    assert result.exit_code == 0, result.output
    assert f"Warning: uploads/{deleted} was deleted while the backup ran" in result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert all(deleted not in item["path"] for item in manifest["files"])
    assert len(manifest["files"]) == 3  # the database, the learner's file and the PDF


def test_failed_backup_leaves_no_folder(app, world, monkeypatch, tmp_path):
    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "copy_file", disk_full)

    result = run_backup(app, tmp_path / "backup")

    assert result.exit_code == 1
    assert "The backup failed: [Errno 28] No space left on device" in result.output
    assert "No backup was written in" in result.output
    assert not (tmp_path / "backup").exists()


def test_backup_refuses_a_folder_inside_the_instance(app, stamped):
    result = run_backup(app, Path(app.instance_path) / "backups")

    assert result.exit_code == 1
    assert "is inside the instance folder" in result.output


def test_backup_warns_when_the_database_has_no_migration_revision(app, tmp_path):
    result = run_backup(app, tmp_path / "backup")

    assert result.exit_code == 0, result.output
    assert "this backup cannot be restored" in result.output


def test_missing_postgresql_client_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(BackupError, match="pg_restore was not found on the PATH"):
        postgresql_tool("pg_restore")


def test_password_goes_to_the_environment_never_to_the_arguments():
    dsn, env = libpq_connection(make_url("postgresql+psycopg://lms:s3cr%40t@db.example/lms"))

    assert dsn == "postgresql://lms@db.example/lms"
    assert env["PGPASSWORD"] == "s3cr@t"


def test_a_failing_client_program_is_reported_without_the_password(tmp_path):
    fake = tmp_path / "pg_dump"
    fake.write_text('#!/bin/sh\necho "pg_dump: error: server closed the connection" >&2\nexit 1\n')
    fake.chmod(0o755)
    url = make_url("postgresql+psycopg://lms:s3cret@db.example/lms")

    with pytest.raises(BackupError) as refused:
        database.run([str(fake)], {}, "pg_dump", url)

    message = str(refused.value)
    assert message == (
        "pg_dump failed on postgresql://lms:***@db.example/lms (exit status 1): "
        "pg_dump: error: server closed the connection"
    )


@pytest.mark.postgres
def test_backup_without_pg_dump_says_so(app, stamped, monkeypatch, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_dump only backs up PostgreSQL databases")
    monkeypatch.setenv("PATH", str(tmp_path))

    result = run_backup(app, tmp_path / "backup")

    assert result.exit_code == 1
    assert "pg_dump was not found on the PATH" in result.output
    assert "No backup was written" in result.output


@pytest.mark.postgres
def test_failing_pg_dump_is_reported_without_the_password(app, stamped, monkeypatch, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_dump only backs up PostgreSQL databases")
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "pg_dump: error: connection refused" >&2\nexit 1\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))

    result = run_backup(app, tmp_path / "backup")

    assert result.exit_code == 1
    assert "pg_dump failed on postgresql://" in result.output
    assert "(exit status 1): pg_dump: error: connection refused" in result.output
    assert not (tmp_path / "backup").exists()


@pytest.mark.postgres
def test_failing_pg_restore_changes_nothing(backup_dir, make_target, monkeypatch, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_restore only restores PostgreSQL databases")
    fake = tmp_path / "bin" / "pg_restore"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "pg_restore: error: could not connect" >&2\nexit 1\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    target = make_target()

    result = run_restore(target, backup_dir)

    assert result.exit_code == 1
    assert "The restore failed: pg_restore failed on postgresql://" in result.output
    assert "Nothing was changed: fix the cause and run “lms restore” again." in result.output
    assert not (Path(target.instance_path) / "uploads").exists()


def test_a_backup_never_holds_the_signing_identity(tmp_path):
    from lms.core.pades_identity import create_development_identity

    create_development_identity(tmp_path / "keys", "Bien-vivre SCIC")
    store_bytes(tmp_path / "certificates", b"%PDF-1.7 issued")
    assert files.storage_folders(tmp_path) == ["certificates"]  # keys/ is not a store of files


# Keys (SECURITY.md J42) -----------------------------------------------------------------------


@pytest.fixture
def signed_credential(app, world) -> Iterator[dict]:
    """Sign a credential with the instance's key, and put a private key file in ``keys/``."""
    from lms.certificates.credentials import keys
    from tests.certificates.credentials.support import credential_document, sign

    document = sign(credential_document(1, 0))
    db.session.commit()
    marker = Path(app.instance_path) / "keys" / "0123456789abcdef0123456789abcdef"
    shelf = marker / marker.name[:2]  # even a file laid out like a stored file stays out
    shelf.mkdir(parents=True, exist_ok=True)
    (shelf / marker.name).write_bytes(b"-----BEGIN PRIVATE KEY-----\nsecret\n")
    assert keys.key_files(keys.key_folder())
    yield document
    shutil.rmtree(marker)


def test_a_backup_holds_public_keys_and_no_private_key(app, signed_credential, tmp_path):
    result = run_backup(app, tmp_path / "backup")

    assert result.exit_code == 0, result.output
    assert "Private keys are not in the backup either" in result.output
    backup = tmp_path / "backup"
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["keys"]["private_keys_included"] is False
    assert (
        manifest["keys"]["public_credential_keys"]
        == manifest["database"]["rows"]["credential_keys"]
    )
    assert manifest["keys"]["public_credential_keys"] >= 1
    assert "credential_keys" in manifest["keys"]["statement"]
    assert all("/keys/" not in item["path"] for item in manifest["files"])
    for path in backup.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"PRIVATE KEY" not in content, path
            assert path.suffix not in {".pem", ".p12"}, path


def test_credentials_verify_after_a_restore_without_private_keys(
    app, signed_credential, tmp_path, make_target
):
    from lms.certificates.credentials import keys
    from lms.core import dataintegrity

    assert run_backup(app, tmp_path / "backup").exit_code == 0
    target = make_target()

    result = run_restore(target, tmp_path / "backup")

    assert result.exit_code == 0, result.output
    with target.app_context():
        assert not keys.key_files(keys.key_folder())  # no private key came with the backup
        check = dataintegrity.verify(signed_credential, keys.public_key_for)
        assert check.valid, check.problem
        method = signed_credential["proof"]["verificationMethod"]
        published = target.test_client().get(method.removeprefix("http://localhost"))
        assert published.status_code == 200
