"""The closed sheet's PDF/A, checked by tools that did not write it: qpdf, pikepdf, poppler."""

from __future__ import annotations

import io
import shutil
import subprocess

import pikepdf
import pytest

from lms.attendance.models import AttendanceSheetDocument
from lms.attendance.sheets.document import open_document
from lms.extensions import db
from tests.attendance.sheet_support import sheet_world
from tests.factories import AttendanceRecordFactory
from tests.web.helpers import log_in

pytestmark = pytest.mark.pdf


def run_tool(name: str, *args: str, pdf: bytes, tmp_path) -> str:
    binary = shutil.which(name)
    if binary is None:
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils qpdf)")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    extra = ["-"] if name == "pdftotext" else []
    result = subprocess.run(  # noqa: S603  a fixed system tool on a file we wrote
        [binary, *args, str(path), *extra], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def closed_pdf(client, learners: int) -> tuple[object, bytes]:
    world = sheet_world(learners)
    AttendanceRecordFactory(sheet=world.sheet, learner=world.learners[0])
    if learners > 1:
        AttendanceRecordFactory(sheet=world.sheet, learner=world.learners[1], late=True)
    if learners > 2:
        AttendanceRecordFactory(sheet=world.sheet, learner=world.learners[2], excused=True)
    db.session.commit()
    log_in(client, world.trainer)
    assert client.post(f"/attendance/sessions/{world.session.id}/close").status_code == 302
    document = db.session.scalar(db.select(AttendanceSheetDocument))
    with open_document(document) as stream:
        return world, stream.read()


def test_the_sheet_is_a_valid_pdf_a_stating_every_field(client, tmp_path, real_pdf):
    world, pdf = closed_pdf(client, 3)
    run_tool("qpdf", "--check", pdf=pdf, tmp_path=tmp_path)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        metadata = document.open_metadata()
        assert metadata["pdfaid:part"] == "3"
        assert metadata["pdfaid:conformance"] == "A"
    text = " ".join(run_tool("pdftotext", "-enc", "UTF-8", pdf=pdf, tmp_path=tmp_path).split())
    session = world.session
    for expected in (
        "Feuille d’émargement",
        session.cohort.path.title,
        session.module.title,
        session.place,
        "Présentiel",
        "Théo Formateur",
        "Présent·e",
        "En retard",
        "Absence justifiée",
        "Rendez-vous médical",
        "signature de l’apprenant·e (code)",
        "Feuille signée et close par Théo Formateur",
        "SHA-256",
        *(learner.display_name for learner in world.learners),
    ):
        assert expected in text, expected


def test_the_training_organisation_signs_the_sheet_when_it_is_set(app, client, tmp_path, real_pdf):
    app.config["TRAINING_ORGANISATION_NAME"] = "Coopérative Territoires Vivants"
    _world, pdf = closed_pdf(client, 1)
    text = " ".join(run_tool("pdftotext", "-enc", "UTF-8", pdf=pdf, tmp_path=tmp_path).split())
    assert "Coopérative Territoires Vivants" in text


def test_thirty_learners_fill_more_than_one_page(client, tmp_path, real_pdf):
    world, pdf = closed_pdf(client, 30)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) >= 1
    text = run_tool("pdftotext", "-enc", "UTF-8", pdf=pdf, tmp_path=tmp_path)
    for learner in world.learners:
        assert learner.display_name in text
    print(f"sheet PDF, 30 learners: {len(pdf)} bytes")
