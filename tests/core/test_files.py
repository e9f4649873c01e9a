"""Content checks of uploaded files (SECURITY.md F24): the extension AND the bytes must agree."""

from __future__ import annotations

import pytest

from lms.core.files import UploadRefused, check_file, clean_name
from tests.assessments.assignments.conftest import JPEG, PDF, PNG, docx_bytes, odt_bytes

ALLOWED = ["pdf", "odt", "docx", "png", "jpg", "txt"]


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("rapport.pdf", PDF, "application/pdf"),
        ("Carte.PNG", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("carte.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
        ("plan.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument"
         ".wordprocessingml.document"),
        ("notes.txt", "Acteurs : mairie, épicerie, 3 associations.".encode(), "text/plain"),
    ],
)  # fmt: skip
def test_real_files_of_allowed_kinds_pass(name, data, content_type):
    checked = check_file(name, data, ALLOWED)
    assert (checked.name, checked.content_type) == (name, content_type)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),  # disguised
        ("report.pdf", b"  <html><body>hello</body></html>"),
        ("image.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("image.png", PDF),  # the wrong kind of real file
        ("notes.txt", b'<?xml version="1.0"?><svg onload="alert(1)"/>'),
        ("notes.txt", b"Bonjour <script>alert(1)</script>"),
        ("notes.txt", b"caf\xe9 en latin-1"),  # not UTF-8
        ("notes.txt", b"text\x00with a NUL"),
        ("notes.txt", b"MZ\x90\x00 program"),  # an executable under a text name
        ("carte.odt", odt_bytes(b"application/vnd.oasis.opendocument.spreadsheet")),
        ("carte.odt", docx_bytes()),  # a ZIP, but not an OpenDocument text
        ("plan.docx", docx_bytes(part="xl/workbook.xml")),
        ("plan.docx", b"PK\x03\x04 not really a zip"),
        ("photo.jpg", b"\x7fELF\x02\x01\x01"),
    ],
)
def test_content_that_does_not_match_its_extension_is_refused(name, data):
    with pytest.raises(UploadRefused, match="is not a real"):
        check_file(name, data, ALLOWED)


@pytest.mark.parametrize(
    "name",
    ["page.html", "image.svg", "setup.exe", "script.js", "archive.zip", "noextension", ".pdf",
     "../../etc/passwd", "report.pdf.exe"],
)  # fmt: skip
def test_extensions_outside_the_allow_list_are_refused(name):
    with pytest.raises(UploadRefused, match="not accepted"):
        check_file(name, PDF, ALLOWED)


def test_an_extension_the_server_cannot_check_is_refused_even_when_allowed():
    with pytest.raises(UploadRefused, match="not accepted"):
        check_file("carte.svg", b"<svg/>", ["svg", "pdf"])


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRefused, match="is empty"):
        check_file("rapport.pdf", b"", ALLOWED)


@pytest.mark.parametrize("name", ["rap\x00port.pdf", "rapport\n.pdf", "rap\u202eport.pdf"])
def test_control_characters_in_names_are_refused(name):
    with pytest.raises(UploadRefused, match="invalid characters"):
        check_file(name, PDF, ALLOWED)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("../../rapport.pdf", "rapport.pdf"), ("C:\\Users\\lina\\carte.pdf", "carte.pdf"),
     ("  Carte des acteurs.pdf ", "Carte des acteurs.pdf")],
)  # fmt: skip
def test_names_lose_every_folder_part(raw, clean):
    assert clean_name(raw) == clean


@pytest.mark.parametrize("raw", ["", "..", "/", "dossier/"])
def test_names_without_a_file_name_are_refused(raw):
    with pytest.raises(UploadRefused, match="no name"):
        clean_name(raw)


def test_long_names_are_shortened_keeping_their_extension():
    name = clean_name("a" * 300 + ".pdf")
    assert len(name) == 200
    assert name.endswith(".pdf")
