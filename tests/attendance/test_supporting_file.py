"""The supporting file of an excused absence (SECURITY.md F23–F26): checked, stored, sent.

A trainer marking a learner excused may attach a PDF, PNG or JPEG; it is checked by extension
and content, limited in size, stored under a random key with its SHA-256, replaced or deleted
with the mark, sent as an attachment to the learner concerned and the cohort's staff only,
mentioned (never shown) on the closed sheet's PDF and covered by ``lms check-storage``.
"""

from __future__ import annotations

import hashlib
import io

import pytest

from lms.attendance.models import AttendanceRecord, AttendanceStatus
from lms.attendance.sheets.document import render_sheet_html, sheet_context
from lms.attendance.sheets.services import Mark, mark_learner
from lms.attendance.sheets.supporting import (
    SupportingUpload,
    files_unit_of_work,
    supporting_folder,
)
from lms.certificates.storage_check import check_storage
from lms.core import storage
from lms.extensions import db
from tests.attendance.sheet_support import sheet_world
from tests.factories import MembershipFactory, UserFactory
from tests.web.helpers import log_in

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def mark_url(world, learner) -> str:
    return f"/attendance/sessions/{world.session.id}/learners/{learner.id}/mark"


def file_url(record) -> str:
    return f"/attendance/records/{record.id}/supporting-file"


def on_disk() -> set[str]:
    return storage.stored_keys(supporting_folder())


def record_of(world, learner) -> AttendanceRecord | None:
    db.session.expire_all()
    return db.session.scalar(
        db.select(AttendanceRecord).filter_by(sheet_id=world.sheet.id, learner_id=learner.id)
    )


def post_excused(client, world, learner, data: bytes, name: str, status: str = "excused"):
    form = {"status": status, "reason": "Arrêt maladie"}
    form["supporting_file"] = (io.BytesIO(data), name)
    answer = client.post(mark_url(world, learner), data=form, content_type="multipart/form-data")
    # The test client spools big bodies to a temporary file it never closes itself.
    answer.request.environ["wsgi.input"].close()
    return answer


def excused_with_file(client, world, data: bytes = PDF, name: str = "arrêt maladie.pdf"):
    log_in(client, world.trainer)
    answer = post_excused(client, world, world.learner, data, name)
    assert answer.status_code == 302
    return record_of(world, world.learner)


def test_an_excused_absence_keeps_its_supporting_file_under_a_random_key(client):
    world = sheet_world()
    before = on_disk()
    record = excused_with_file(client, world)
    assert record.status is AttendanceStatus.EXCUSED
    assert record.file_name == "arrêt maladie.pdf"
    assert record.file_sha256 == hashlib.sha256(PDF).hexdigest()
    assert on_disk() - before == {record.file_key}
    assert "arrêt" not in record.file_key
    assert storage.stored_path(supporting_folder(), record.file_key).read_bytes() == PDF
    page = client.get(f"/attendance/sessions/{world.session.id}/sheet").get_data(as_text=True)
    assert file_url(record) in page
    assert 'enctype="multipart/form-data"' in page
    assert f'<label for="file-mark-{world.learner.id}">' in page


@pytest.mark.parametrize(("data", "name"), [(PNG, "scan.png"), (JPEG, "photo.JPG")])
def test_images_are_accepted_too(client, data, name):
    world = sheet_world()
    record = excused_with_file(client, world, data, name)
    assert record.file_name == name
    assert record.file_sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"<!doctype html><script>alert(1)</script>", "justificatif.pdf", "not a real PDF"),
        (b"<svg onload=alert(1)>", "scan.png", "not a real PNG"),
        (PNG, "scan.pdf", "not a real PDF"),
        (b"", "vide.pdf", "is empty"),
        (b"PK\x03\x04 a document", "lettre.docx", "not accepted (accepted: pdf, png, jpg, jpeg)"),
        (b"MZ\x90\x00", "programme.exe", "not accepted"),
    ],
)
def test_a_refused_file_is_explained_beside_the_field_and_nothing_is_kept(
    client, data, name, message
):
    world = sheet_world()
    log_in(client, world.trainer)
    before = on_disk()
    answer = post_excused(client, world, world.learner, data, name)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert message in page
    field_error = f'<p class="field__errors" id="file-error-mark-{world.learner.id}">'
    assert field_error in page
    assert 'aria-invalid="true"' in page
    assert "Arrêt maladie" in page  # the reason typed is shown again
    assert record_of(world, world.learner) is None
    assert on_disk() == before


def test_a_file_over_the_limit_is_refused_413_and_nothing_is_kept(client, app):
    world = sheet_world()
    log_in(client, world.trainer)
    before = on_disk()
    app.config["ATTENDANCE_SUPPORTING_FILE_MAX_MB"] = 1
    try:
        big = PDF + b"0" * (1024 * 1024)
        answer = post_excused(client, world, world.learner, big, "gros.pdf")
    finally:
        app.config["ATTENDANCE_SUPPORTING_FILE_MAX_MB"] = 5
    assert answer.status_code == 413
    page = answer.get_data(as_text=True)
    assert "The supporting file may weigh 1 MB at most." in page
    assert f'id="file-error-mark-{world.learner.id}"' in page
    assert record_of(world, world.learner) is None
    assert on_disk() == before


def test_the_limit_is_a_setting_of_five_megabytes_by_default(app):
    assert app.config["ATTENDANCE_SUPPORTING_FILE_MAX_MB"] == 5


def test_a_file_with_another_status_is_refused(client):
    world = sheet_world()
    log_in(client, world.trainer)
    before = on_disk()
    answer = post_excused(client, world, world.learner, PDF, "a.pdf", status="absent")
    assert answer.status_code == 400
    assert "Only an excused absence takes a supporting file." in answer.get_data(as_text=True)
    assert record_of(world, world.learner) is None
    assert on_disk() == before


def test_a_new_file_replaces_the_old_one_which_is_deleted(client):
    world = sheet_world()
    first = excused_with_file(client, world)
    old_key = first.file_key
    answer = post_excused(client, world, world.learner, PNG, "nouveau.png")
    assert answer.status_code == 302
    record = record_of(world, world.learner)
    assert record.file_key != old_key
    assert record.file_name == "nouveau.png"
    assert old_key not in on_disk()
    assert record.file_key in on_disk()


def test_marking_again_excused_without_a_file_keeps_it(client):
    world = sheet_world()
    first = excused_with_file(client, world)
    data = {"status": "excused", "reason": "Arrêt prolongé"}
    assert client.post(mark_url(world, world.learner), data=data).status_code == 302
    record = record_of(world, world.learner)
    assert (record.reason, record.file_key) == ("Arrêt prolongé", first.file_key)
    assert first.file_key in on_disk()


def test_a_status_no_longer_excused_drops_and_deletes_the_file(client):
    world = sheet_world()
    first = excused_with_file(client, world)
    data = {"status": "present"}
    assert client.post(mark_url(world, world.learner), data=data).status_code == 302
    record = record_of(world, world.learner)
    assert (record.file_key, record.file_name, record.file_sha256) == (None, None, None)
    assert first.file_key not in on_disk()


def record_in_one_unit(world, mark) -> None:
    with files_unit_of_work() as files:
        mark_learner(world.sheet, world.learner, mark, world.trainer, files=files)


def test_a_change_whose_commit_fails_leaves_no_file(app, monkeypatch):
    world = sheet_world()
    before, written = on_disk(), set()

    def failing_commit():
        written.update(on_disk() - before)
        raise RuntimeError("the commit fails")

    mark = Mark(AttendanceStatus.EXCUSED, reason="Malade", file=SupportingUpload("a.pdf", PDF))
    monkeypatch.setattr(db.session, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        record_in_one_unit(world, mark)
    monkeypatch.undo()
    assert written  # stored before the commit, removed when it failed
    assert on_disk() == before
    assert record_of(world, world.learner) is None


def test_the_file_goes_to_the_learner_concerned_and_the_staff_as_an_attachment(client, app):
    world = sheet_world()
    record = excused_with_file(client, world)
    admin = UserFactory(admin=True)
    db.session.commit()
    for person in (world.trainer, world.learner, admin):
        with app.test_client() as other:
            log_in(other, person)
            answer = other.get(file_url(record))
            assert answer.status_code == 200, person
            assert answer.data == PDF
            assert answer.mimetype == "application/pdf"
            disposition = answer.headers["Content-Disposition"]
            assert disposition.startswith("attachment;")
            assert "filename*=UTF-8''arr%C3%AAt%20maladie.pdf" in disposition
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            assert answer.headers["Cache-Control"] == "no-store"


def test_the_file_is_denied_to_anybody_else(client, app):
    world = sheet_world()
    record = excused_with_file(client, world)
    other_trainer = MembershipFactory(trainer=True).user
    assessor = MembershipFactory(cohort=world.session.cohort, assessor=True).user
    db.session.commit()
    for person in (world.learners[1], other_trainer, assessor, UserFactory()):
        with app.test_client() as other:
            log_in(other, person)
            assert other.get(file_url(record)).status_code == 403, person
    with app.test_client() as anonymous:
        answer = anonymous.get(file_url(record))
        assert answer.status_code == 302
        assert "/login" in answer.headers["Location"]


def test_a_record_without_file_or_with_its_file_lost_is_not_found(client, app):
    world = sheet_world()
    record = excused_with_file(client, world)
    assert client.get("/attendance/records/999999/supporting-file").status_code == 404
    data = {"status": "present"}
    client.post(mark_url(world, world.learners[1]), data=data)
    plain = record_of(world, world.learners[1])
    assert client.get(file_url(plain)).status_code == 404
    storage.delete_stored(supporting_folder(), record.file_key)
    assert client.get(file_url(record)).status_code == 404


def test_the_learner_finds_their_file_on_their_signing_page(client):
    world = sheet_world()
    record = excused_with_file(client, world)
    client.post("/logout")
    log_in(client, world.learner)
    page = client.get(f"/attendance/sign/{world.sheet.id}").get_data(as_text=True)
    assert file_url(record) in page
    assert "arrêt maladie.pdf" in page


def test_the_closed_sheet_says_a_supporting_file_is_on_record_without_its_content(client):
    world = sheet_world()
    record = excused_with_file(client, world)
    db.session.refresh(world.sheet)
    with db.session.no_autoflush:
        world.sheet.state, world.sheet.closed_by_id = "closed", world.trainer.id
        world.sheet.closed_at = world.session.starts_at
    db.session.flush()
    db.session.refresh(world.sheet)
    records = {record.learner_id: record}
    context = sheet_context(world.sheet, world.learners, records, 1)
    html = render_sheet_html(context)
    db.session.rollback()
    assert "Motif : Arrêt maladie · justificatif fourni" in html
    assert "arrêt maladie.pdf" not in html
    assert record.file_sha256 not in html


def test_an_administrator_correcting_to_excused_may_attach_a_file(client, app):
    world = sheet_world()
    log_in(client, world.trainer)
    assert client.post(f"/attendance/sessions/{world.session.id}/close").status_code == 302
    admin = UserFactory(admin=True)
    db.session.commit()
    before = on_disk()
    with app.test_client() as other:
        log_in(other, admin)
        url = f"/attendance/sessions/{world.session.id}/learners/{world.learner.id}/correct"
        form = {
            "status": "excused",
            "reason": "Arrêt maladie",
            "correction_reason": "Justificatif reçu",
            "supporting_file": (io.BytesIO(PDF), "arret.pdf"),
        }
        answer = other.post(url, data=form, content_type="multipart/form-data")
        assert answer.status_code == 302
        record = record_of(world, world.learner)
        assert record.file_name == "arret.pdf"
        assert on_disk() - before == {record.file_key}
        refused = {**form, "supporting_file": (io.BytesIO(b"<html>"), "x.pdf")}
        answer = other.post(url, data=refused, content_type="multipart/form-data")
        assert answer.status_code == 400
        assert f'id="file-error-correct-{world.learner.id}"' in answer.get_data(as_text=True)
    assert on_disk() - before == {record.file_key}


def test_check_storage_reports_files_without_rows_and_rows_without_files(client):
    world = sheet_world()
    record = excused_with_file(client, world)
    orphan = storage.store_bytes(supporting_folder(), PDF).key
    storage.delete_stored(supporting_folder(), record.file_key)
    check = check_storage()
    found = {(p.store, p.kind, p.detail) for p in check.problems if p.store == "attendance"}
    assert ("attendance", "missing-file", record.file_key) in found
    assert ("attendance", "orphan-file", "no row names it") in found
    assert check.counted["attendance"][1] >= 1
    check_storage(fix=True)
    assert orphan not in on_disk()
