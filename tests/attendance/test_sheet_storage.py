"""``lms check-storage`` on the closed sheets' PDFs: counted, lost, changed and leftover files."""

from __future__ import annotations

import pytest

from lms.attendance.sheets.closing import close_sheet
from lms.attendance.sheets.document import sheets_folder
from lms.certificates.storage_check import check_storage
from lms.core import storage
from lms.extensions import db
from tests.attendance.sheet_support import sheet_world
from tests.stores import empty_file_stores


@pytest.fixture
def closed_document(app):
    """A sheet closed with its PDF (the fake one of this folder's conftest), empty stores."""
    empty_file_stores()
    world = sheet_world(2)
    document = close_sheet(world.sheet, world.trainer)
    db.session.commit()
    yield document
    empty_file_stores()


def problems(check, store="attendance-sheets"):
    return [(p.kind, p.subject) for p in check.problems if p.store == store]


def test_closed_sheets_are_counted_and_consistent(closed_document):
    check = check_storage()
    assert check.counted["attendance-sheets"] == (1, 1)
    assert problems(check) == []


def test_a_lost_pdf_is_reported_and_its_row_kept(closed_document):
    storage.stored_path(sheets_folder(), closed_document.storage_key).unlink()
    check = check_storage(fix=True)
    subject = f"attendance sheet {closed_document.sheet_id}, version 1"
    assert problems(check) == [("missing-file", subject)]
    assert db.session.get(type(closed_document), closed_document.id) is not None


def test_a_changed_pdf_is_reported_and_kept_and_a_leftover_file_removed(closed_document):
    path = storage.stored_path(sheets_folder(), closed_document.storage_key)
    path.write_bytes(b"%PDF-1.7 changed")
    orphan = storage.store_bytes(sheets_folder(), b"%PDF-1.7 left by a rolled back closing")
    check = check_storage(fix=True)
    kinds = [kind for kind, _subject in problems(check)]
    assert sorted(kinds) == ["hash-mismatch", "orphan-file"]
    assert path.exists()
    assert storage.stored_keys(sheets_folder()) == {closed_document.storage_key}
    assert orphan.key not in storage.stored_keys(sheets_folder())
