"""A closed sheet's PDF is signed (sealed) by the training organisation, as every issued PDF."""

from __future__ import annotations

import pytest

from lms.attendance.models import AttendanceSheetDocument
from lms.attendance.sheets.closing import close_sheet
from lms.attendance.sheets.document import open_document, sheets_folder
from lms.attendance.sheets.errors import SheetError
from lms.core import pades, storage
from lms.extensions import db
from tests.attendance.sheet_support import sheet_world
from tests.signing import assert_signed, write_identity
from tests.stores import empty_file_stores

pytestmark = pytest.mark.pdf


@pytest.fixture
def organisation(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRAINING_ORGANISATION_NAME", "Coopérative Territoires Vivants")
    monkeypatch.setitem(app.config, "TRAINING_ORGANISATION_PLACE", "Lille")


def test_closing_a_sheet_stores_it_signed_by_the_organisation(organisation, signing, real_pdf):
    world = sheet_world(2)
    document = close_sheet(world.sheet, world.trainer)
    db.session.commit()

    with open_document(document) as stream:
        pdf = stream.read()
    reason = "Feuille d’émargement établie par Coopérative Territoires Vivants"
    assert_signed(pdf, signing, reason, "Lille")


def test_a_sheet_that_cannot_be_signed_stays_open(
    app, organisation, monkeypatch, tmp_path, real_pdf
):
    empty_file_stores()
    world = sheet_world(1)
    path = write_identity(tmp_path, expired=True)
    monkeypatch.setitem(app.config, "SIGNING_PKCS12", str(path))
    monkeypatch.setitem(app.config, "SIGNING_PKCS12_PASSPHRASE", "correct horse battery staple")
    pades.reset_signing_cache()

    with pytest.raises(SheetError, match="Documents cannot be signed on this server"):
        close_sheet(world.sheet, world.trainer)
    db.session.rollback()

    assert db.session.get(type(world.sheet), world.sheet.id).closed_at is None
    assert db.session.scalar(db.select(db.func.count(AttendanceSheetDocument.id))) == 0
    assert storage.stored_keys(sheets_folder()) == set()
    pades.reset_signing_cache()
