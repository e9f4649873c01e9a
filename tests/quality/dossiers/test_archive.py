"""The dossier's archive: every file in the manifest with its true SHA-256, the index listing them,
the documents byte for byte, safe names, released grades only, missing files listed (acceptance)."""

from __future__ import annotations

import hashlib
import json

import pytest

from lms.assessments.assignments.uploads import upload_folder
from lms.core import storage
from lms.extensions import db
from lms.quality.dossiers.evidence import archive_path, safe_name
from lms.quality.dossiers.jobs import build_dossier
from lms.quality.dossiers.models import DossierState, LearnerDossier
from lms.quality.dossiers.services import dossier_folder, request_dossier
from tests.quality.dossiers.support import (
    CERTIFICATE,
    REALISATION,
    SHEET,
    SUBMITTED,
    SUPPORTING,
    TRAVERSING,
    learner_with_evidence,
    open_zip,
)
from tests.stores import empty_file_stores


@pytest.fixture(autouse=True)
def _empty_stores():
    empty_file_stores()
    yield
    empty_file_stores()


def built(world) -> LearnerDossier:
    dossier = request_dossier(world.learner, world.cohort, world.admin)
    db.session.commit()
    assert build_dossier(dossier.id) == "ready"
    db.session.expire_all()
    return db.session.get(LearnerDossier, dossier.id)


def archive_bytes(dossier: LearnerDossier) -> bytes:
    with storage.open_stored(dossier_folder(), dossier.storage_key) as stream:
        return stream.read()


def test_the_manifest_verifies_and_the_index_lists_every_file():
    world = learner_with_evidence()
    dossier = built(world)
    data = archive_bytes(dossier)
    assert hashlib.sha256(data).hexdigest() == dossier.sha256
    assert len(data) == dossier.size
    archive = open_zip(data)
    names = archive.namelist()
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["learner"]["email"] == world.learner.email
    assert manifest["cohort"]["name"] == "Promotion Dossier"
    assert manifest["generator"].startswith("lms-bien-vivre")
    assert manifest["built_at"]
    assert manifest["version"] == 1
    assert manifest["missing"] == []
    listed = {entry["path"] for entry in manifest["files"]}
    # Every file but the manifest and its checksums is in the manifest, and nothing more.
    assert listed == set(names) - {"manifest.json", "manifest.sha256"}
    for entry in manifest["files"]:
        content = archive.read(entry["path"])
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], entry["path"]
        assert len(content) == entry["size"], entry["path"]
    # sha256sum format: every file, manifest.json included.
    lines = archive.read("manifest.sha256").decode().splitlines()
    checked = {}
    for line in lines:
        digest, path = line.split("  ", 1)
        checked[path] = digest
        assert hashlib.sha256(archive.read(path)).hexdigest() == digest
    assert set(checked) == set(names) - {"manifest.sha256"}
    index = archive.read("index.html").decode()
    for path in listed - {"index.html"}:
        assert f'href="{path}"' in index, path
    assert "Léa Preuve" in index
    assert "<style>" in index
    assert "<script" not in index


def test_documents_are_copied_byte_for_byte_and_data_files_say_it_all():
    world = learner_with_evidence()
    archive = open_zip(archive_bytes(built(world)))
    documents = {
        name: archive.read(name) for name in archive.namelist() if name.startswith("documents/")
    }
    contents = sorted(documents.values())
    assert contents == sorted([SUBMITTED, TRAVERSING, SUPPORTING, SHEET, REALISATION, CERTIFICATE])
    for section in (
        "identity",
        "membership",
        "positioning",
        "submissions",
        "grades",
        "quiz_attempts",
        "competencies",
        "attendance",
        "realisation",
        "decisions",
        "jury",
        "certificates",
    ):
        rows = json.loads(archive.read(f"data/{section}.json"))
        assert rows, section
        assert f"data/{section}.csv" in archive.namelist()
    attendance = json.loads(archive.read("data/attendance.json"))
    assert attendance[0]["status"] == "excused"
    assert attendance[0]["sheet_documents"].endswith("-v1.pdf")
    jury = json.loads(archive.read("data/jury.json"))
    assert jury[0]["is_president"] is True
    assert jury[0]["place"] == "Lyon"


def test_only_released_grades_reach_the_dossier():
    world = learner_with_evidence()
    archive = open_zip(archive_bytes(built(world)))
    grades = json.loads(archive.read("data/grades.json"))
    assert [grade["assessment"] for grade in grades] == ["M1-DIAG"]
    assert grades[0]["feedback"] == "Très bon diagnostic."
    for name in archive.namelist():
        assert world.unreleased_feedback.encode() not in archive.read(name), name


def test_user_given_names_cannot_leave_the_archive_folder():
    world = learner_with_evidence()
    names = open_zip(archive_bytes(built(world))).namelist()
    for name in names:
        assert not name.startswith("/")
        assert ".." not in name.split("/")
        assert "\\" not in name
    assert any(name.endswith("-passwd") for name in names)
    assert any(name.endswith("-justificatif-medical.pdf") for name in names)


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("..", "fichier"),
        ("", "fichier"),
        (".htaccess", "htaccess"),
        ("rapport été 2025.pdf", "rapport-ete-2025.pdf"),
        ("a..b...pdf", "a.b.pdf"),
        ("x" * 200 + ".pdf", "x" * 76 + ".pdf"),
    ],
)
def test_safe_names(given, safe):
    assert safe_name(given) == safe


def test_archive_paths_refuse_traversal():
    with pytest.raises(ValueError, match="unsafe archive path"):
        archive_path("documents", "..", "x")
    with pytest.raises(ValueError, match="unsafe archive path"):
        archive_path("/etc", "passwd")


def test_a_file_missing_from_storage_is_listed_as_missing_not_a_crash():
    world = learner_with_evidence()
    storage.delete_stored(upload_folder(), world.submission_file.storage_key)
    archive = open_zip(archive_bytes(built(world)))
    manifest = json.loads(archive.read("manifest.json"))
    [missing] = manifest["missing"]
    assert missing["path"].endswith("rapport-diagnostic-e.pdf")
    assert missing["path"] not in archive.namelist()
    index = archive.read("index.html").decode()
    assert "missing from storage" in index
    assert missing["path"] in index


def test_the_same_evidence_gives_the_same_order_and_a_new_version():
    world = learner_with_evidence()
    first = built(world)
    second = built(world)
    assert (first.version, second.version) == (1, 2)
    assert first.storage_key != second.storage_key
    assert open_zip(archive_bytes(first)).namelist() == open_zip(archive_bytes(second)).namelist()


def test_the_index_speaks_the_learners_language():
    world = learner_with_evidence(locale="fr")
    index = open_zip(archive_bytes(built(world))).read("index.html").decode()
    assert 'lang="fr"' in index
    assert "Dossier de Léa Preuve" in index


def test_a_store_that_fails_leaves_the_build_failed_with_its_message(monkeypatch):
    world = learner_with_evidence()
    dossier = request_dossier(world.learner, world.cohort, world.admin)
    db.session.commit()

    def broken(folder, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "store_bytes", broken)
    assert build_dossier(dossier.id) == "failed"
    db.session.expire_all()
    failed = db.session.get(LearnerDossier, dossier.id)
    assert failed.state == DossierState.FAILED
    assert "No space left on device" in failed.error
    assert failed.storage_key is None
    assert failed.sha256 is None
    assert failed.finished_at
    assert storage.stored_keys(dossier_folder()) == set()


def test_a_failure_after_storing_removes_the_stored_archive(monkeypatch):
    world = learner_with_evidence()
    dossier = request_dossier(world.learner, world.cohort, world.admin)
    db.session.commit()
    original = db.session.commit
    calls = []

    def failing_commit():
        calls.append(1)
        if len(calls) == 2:  # the first commits "building"; the second would record "ready"
            raise RuntimeError("database gone")
        original()

    monkeypatch.setattr(db.session, "commit", failing_commit)
    assert build_dossier(dossier.id) == "failed"
    monkeypatch.undo()
    db.session.expire_all()
    assert db.session.get(LearnerDossier, dossier.id).state == DossierState.FAILED
    assert storage.stored_keys(dossier_folder()) == set()


def test_a_build_no_longer_queued_is_left_alone():
    world = learner_with_evidence()
    dossier = built(world)
    assert build_dossier(dossier.id) == "skipped"
    assert build_dossier(10**9) == "skipped"
