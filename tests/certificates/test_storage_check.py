"""``lms check-storage`` (SECURITY.md F26) and fault injection around stored files (H33)."""

from __future__ import annotations

import hashlib

import pytest

from lms.assessments.assignments.uploads import upload_folder
from lms.certificates import issuing
from lms.certificates.decisions import record_decision
from lms.certificates.issuing import certificate_folder, issue_certificate
from lms.certificates.models import Certificate, DecisionOutcome
from lms.core import storage
from lms.extensions import db
from tests.certificates.helpers import make_certificate_world
from tests.factories import SubmissionFileFactory
from tests.stores import empty_file_stores


@pytest.fixture
def world(app):
    """The certifying world, with an empty uploads folder."""
    empty_file_stores()
    yield make_certificate_world()
    empty_file_stores()


def awarded_learner(world):
    learner = world.eligible_learner(display_name="Zoé Lefèvre")
    record_decision(
        world.cohort, learner, outcome=DecisionOutcome.AWARDED, reason="", decided_by=world.admin
    )
    db.session.commit()
    return learner


def issued(world) -> Certificate:
    certificate = issue_certificate(world.cohort, awarded_learner(world), issued_by=world.admin)
    db.session.commit()
    return certificate


def check(runner, *options):
    return runner.invoke(args=["check-storage", *options])


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_consistent_instance_has_no_problem(world, runner):
    issued(world)

    result = check(runner)

    assert result.exit_code == 0, result.output
    assert "certificates: 1 files, 1 rows" in result.output
    assert "0 problems found, 0 remaining" in result.output


def test_a_failure_between_writing_the_pdf_and_the_commit_leaves_a_file_fix_removes(
    world, runner, monkeypatch
):
    learner = awarded_learner(world)

    def audit_down(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(issuing, "record_audit_event", audit_down)
    with pytest.raises(RuntimeError):
        issue_certificate(world.cohort, learner, issued_by=world.admin)
    db.session.rollback()
    monkeypatch.undo()
    [orphan] = storage.stored_keys(certificate_folder())
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0

    reported = check(runner)
    assert reported.exit_code == 1
    assert f"PROBLEM certificates orphan-file: file {orphan}" in reported.output
    assert "Run `lms check-storage --fix`" in reported.output

    fixed = check(runner, "--fix")
    assert fixed.exit_code == 0, fixed.output
    assert f"fixed certificates orphan-file: file {orphan}" in fixed.output
    assert storage.stored_keys(certificate_folder()) == set()

    again = check(runner, "--fix")  # idempotent: nothing left to do
    assert again.exit_code == 0
    assert "0 problems found, 0 remaining" in again.output


def test_a_pdf_lost_after_the_commit_is_rebuilt_with_the_same_hash(world, runner):
    certificate = issued(world)
    recorded, old_key = certificate.pdf_sha256, certificate.storage_key
    storage.delete_stored(certificate_folder(), old_key)

    reported = check(runner)
    assert reported.exit_code == 1
    assert f"PROBLEM certificates missing-file: certificate {certificate.number}" in reported.output

    fixed = check(runner, "--fix")
    assert fixed.exit_code == 0, fixed.output
    assert "rendered again" in fixed.output
    db.session.rollback()
    certificate = db.session.get(Certificate, certificate.id, populate_existing=True)
    assert certificate.pdf_sha256 == recorded
    assert sha256(storage.stored_path(certificate_folder(), certificate.storage_key)) == recorded
    with issuing.open_certificate_pdf(certificate) as pdf:
        assert pdf.read().startswith(b"%PDF-")

    again = check(runner, "--fix")
    assert again.exit_code == 0
    assert "0 problems found, 0 remaining" in again.output


def test_a_rebuilt_pdf_that_differs_is_reported_and_not_stored(world, runner):
    certificate = issued(world)
    storage.delete_stored(certificate_folder(), certificate.storage_key)
    certificate.pdf_sha256 = "0" * 64  # as if issued under another design
    certificate.template_version = "0" * 16
    db.session.commit()

    result = check(runner, "--fix")

    assert result.exit_code == 1
    assert f"is not the recorded {'0' * 64}" in result.output
    assert "restore it from a backup" in result.output
    assert storage.stored_keys(certificate_folder()) == set()


def test_a_changed_pdf_and_a_temporary_file_are_found(world, runner):
    certificate = issued(world)
    path = storage.stored_path(certificate_folder(), certificate.storage_key)
    path.write_bytes(path.read_bytes() + b"%tampered")
    leftover = path.parent / f"{storage.TEMPORARY_PREFIX}abc123"
    leftover.write_bytes(b"half a PDF")

    result = check(runner, "--fix")

    assert result.exit_code == 1  # the changed file stays, as evidence
    assert f"PROBLEM certificates hash-mismatch: certificate {certificate.number}" in result.output
    assert "fixed certificates temporary-file" in result.output
    assert not leftover.exists()
    assert path.exists()


def test_uploads_rows_without_files_stay_reported_and_leftovers_go(world, runner):
    folder = upload_folder()
    kept = storage.store_bytes(folder, b"%PDF-1.7 carte")
    SubmissionFileFactory(storage_key=kept.key, sha256=kept.sha256, size=kept.size)
    lost = SubmissionFileFactory(original_name="perdu.pdf")  # its file never existed
    orphan = storage.store_bytes(folder, b"rolled back upload")

    result = check(runner, "--fix")

    assert result.exit_code == 1
    assert "uploads: 2 files, 2 rows" in result.output
    assert f"PROBLEM uploads missing-file: submission file {lost.id} (perdu.pdf" in result.output
    assert f"fixed uploads orphan-file: file {orphan.key}" in result.output
    assert storage.stored_keys(folder) == {kept.key}
    assert db.session.get(type(lost), lost.id) is not None  # rows are never deleted

    again = check(runner, "--fix")
    assert "1 problems found, 1 remaining" in again.output
