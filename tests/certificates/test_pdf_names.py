"""Whatever a learner's name holds, the certificate PDF is valid and shows all of it.

The renderer does not trust the forms: a name that came by an older import, the command line
or the database itself may hold characters XML 1.0 forbids or that reorder text. And a name
up to the field's maximum (120 characters) must be readable in full on both pages, in any
script. The CJK and Arabic cases need a system font covering those scripts (the bundled fonts
cover Latin, Greek and Cyrillic only): they skip, saying which package to install, without one.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter

import pikepdf
import pytest

from lms.certificates.rendering import render_pdf
from tests.certificates.documents import path_certificate_document
from tests.certificates.test_pdf import run_tool, squeezed

NAME_MAX = 120  # User.display_name is a String(120)
FRAME_MM = (8, 287)  # the frame of page 1, left and right edges
MM = 72 / 25.4
# Every kind of character that a form refuses, in one name.
HOSTILE = "Zoé \u202eevil.pdf\u202c \uffff\ufffe\x01\x7f\ud800\u2028\ufeff\ufdd0\U0010ffff\u2066x"
LONG_NAMES = {
    "unbroken": ("Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaftschafer" * 2)[
        :NAME_MAX
    ],
    "spaces": (
        "Marie-Amélie Joséphine de La Tour-Saint-Vincent d’Argenson Bellegarde Kowalczyk "
        "Nguyễn Thị Minh Khai Oyelaran-Adebayo Ferreira"
    )[:NAME_MAX],
    "cjk": ("山田花子" * 30)[:NAME_MAX],
    "arabic": ("محمد بن عبد الله الفاسي " * 6)[:NAME_MAX].strip(),
}
SCRIPT_FONTS = {"cjk": ("zh", "fonts-wqy-microhei"), "arabic": ("ar", "fonts-dejavu-core")}


def page_text(pdf: bytes, page: int, tmp_path) -> str:
    """Return poppler's text of one page, without the direction marks it adds around RTL runs."""
    result = run_tool(
        "pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), pdf=pdf, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    return unicodedata.normalize("NFKC", re.sub("[\u200e\u200f\u202a-\u202e]", "", result.stdout))


def xmp_of(pdf: bytes) -> ET.Element:
    """Return the PDF's XMP metadata parsed by a strict XML parser."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return ET.fromstring(document.Root.Metadata.read_bytes())  # noqa: S314  our own PDF


def needs_font_for(case: str) -> None:
    """Skip when no installed font covers the script of this case."""
    if case not in SCRIPT_FONTS:
        return
    language, package = SCRIPT_FONTS[case]
    fc_list = shutil.which("fc-list")
    found = (
        fc_list
        and subprocess.run(  # noqa: S603  a fixed system tool
            [fc_list, f":lang={language}", "family"], capture_output=True, text=True, check=False
        ).stdout.strip()
    )
    if not found:
        pytest.skip(f"no font covers {case} here (apt-get install {package})")


@pytest.mark.parametrize(
    "name",
    [HOSTILE, "Zoé \uffff\ufffe\x01evil.pdf x", "Zoé \u202eevil.pdf x"],
    ids=["everything", "XML-forbidden", "override"],
)
def test_a_hostile_name_gives_a_valid_pdf_a_with_the_name_in_reading_order(name, tmp_path):
    pdf = render_pdf(path_certificate_document(learner_name=name))
    result = run_tool("qpdf", "--check", pdf=pdf, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    xmp = ET.tostring(xmp_of(pdf), encoding="unicode")
    assert "Zoé evil.pdf x" in xmp
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 2
        assert document.open_metadata()["pdfaid:part"] == "3"
        for value in document.docinfo.values():
            assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\u202e]", str(value))
    for page in (1, 2):
        assert "Zoé evil.pdf x" in page_text(pdf, page, tmp_path)


def test_hostile_text_in_any_value_is_made_printable(tmp_path):
    document = path_certificate_document(
        cohort_name="Lyon\uffff 2025", place="Ly\x00on", signatory_title="Directrice\u202e"
    )
    text = page_text(render_pdf(document), 1, tmp_path)
    assert "Lyon 2025" in text
    assert "Fait à Lyon" in text
    assert "Directrice" in text


@pytest.mark.parametrize("case", LONG_NAMES)
def test_a_name_of_the_longest_length_is_shown_in_full_on_both_pages(case, tmp_path):
    needs_font_for(case)
    name = LONG_NAMES[case]
    assert len(name) <= NAME_MAX
    pdf = render_pdf(path_certificate_document(learner_name=name))
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 2
    for page in (1, 2):
        assert squeezed(name) in squeezed(page_text(pdf, page, tmp_path)), f"page {page}"
    # Page 1: the name's lines lie between « certifie que » and « a suivi », inside the frame,
    # and the blocks listed under them still end above the place and date.
    words = words_of_page_one(pdf, tmp_path)
    top = {text: (y_min, y_max) for _x, y_min, _x2, y_max, text in reversed(words)}
    name_words = [w for w in words if top["que"][1] < w[1] and w[3] < top["suivi"][0]]
    assert Counter("".join(w[4] for w in name_words)) == Counter(squeezed(name))
    for x_min, _y_min, x_max, _y_max, _text in name_words:
        assert FRAME_MM[0] * MM < x_min
        assert x_max < FRAME_MM[1] * MM
    assert top["BC4"][1] < top["Fait"][0]


def words_of_page_one(pdf: bytes, tmp_path) -> list[tuple[float, float, float, float, str]]:
    """Return every word of page 1 with its box, in points from the top left corner."""
    result = run_tool("pdftotext", "-bbox", "-f", "1", "-l", "1", pdf=pdf, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [
        (float(a), float(b), float(c), float(d), unicodedata.normalize("NFKC", text))
        for a, b, c, d, text in re.findall(pattern, result.stdout)
    ]
