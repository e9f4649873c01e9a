"""The jury's minutes as a PDF, checked by tools that did not write it: poppler, qpdf, pikepdf.

Each PDF is rendered once per module (≈ 0.4 s for 3 candidates, ≈ 3 s for 30). The poppler and
qpdf checks skip, saying why, where the binaries are missing, as the certificate's do.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import replace

import pikepdf
import pytest

from lms.certificates import rendering
from lms.certificates.minutes import MinutesMember, render_minutes
from lms.certificates.minutes import rendering as minutes_rendering
from tests.certificates.documents import HOSTILE_NAMES
from tests.certificates.minutes_documents import MEMBERS, minutes_document
from tests.certificates.test_pdf import run_tool, squeezed
from tests.certificates.test_pdf_names import HOSTILE, LONG_NAMES, SCRIPT_FONTS, xmp_of

A4_PORTRAIT = (595.28, 841.89)  # points
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pages_of(pdf: bytes, tmp_path) -> list[str]:
    """Return poppler's text of each page, without the direction marks it adds around RTL runs."""
    result = run_tool("pdftotext", "-enc", "UTF-8", pdf=pdf, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    text = unicodedata.normalize("NFKC", BIDI_MARKS.sub("", result.stdout))
    return text.split("\f")[:-1]  # the text ends with a form feed


def flat(text: str) -> str:
    """Return the text on one line with plain spaces (no-break spaces and line ends included)."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def minutes_pdf() -> bytes:
    return render_minutes(minutes_document())


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return render_minutes(minutes_document(candidates=30))


@pytest.fixture(scope="module")
def english_pdf() -> bytes:
    return render_minutes(minutes_document(language="en"))


def _font_covers(case: str) -> bool:
    """Say whether an installed font covers the script of a LONG_NAMES case."""
    fc_list = shutil.which("fc-list")
    language = SCRIPT_FONTS[case][0]
    return bool(
        fc_list
        and subprocess.run(  # noqa: S603  a fixed system tool
            [fc_list, f":lang={language}", "family"], capture_output=True, text=True, check=False
        ).stdout.strip()
    )


HOSTILE_TEXTS = (
    *HOSTILE_NAMES,
    HOSTILE,
    *(name for case, name in LONG_NAMES.items() if case not in SCRIPT_FONTS or _font_covers(case)),
)


@pytest.fixture(scope="module")
def hostile() -> tuple[bytes, list[str]]:
    """Render minutes whose names, seats and recommendations are payloads; record every fetch."""
    hostile_member = MinutesMember(HOSTILE, HOSTILE_NAMES[0], True, False, HOSTILE_NAMES[1])
    document = minutes_document(
        candidate_names=HOSTILE_TEXTS,
        members=(
            *MEMBERS,
            hostile_member,
            MinutesMember(LONG_NAMES["arabic"], "—", True, False, ""),
        ),
        place=HOSTILE_NAMES[2],
        reference="PV\u202e-2026\uffff",
        majority_rule=HOSTILE_NAMES[1],
    )
    candidates = tuple(
        replace(candidate, recommendations=f"{HOSTILE}\n{HOSTILE_NAMES[3]}")
        for candidate in document.candidates
    )
    fetched: list[str] = []
    fetcher_class = rendering._fetcher_class()
    fetch = fetcher_class.fetch
    renderers = getattr(rendering._local, "renderers", {})
    previous = renderers.pop(minutes_rendering.STYLESHEET_NAME, None)  # refetch fonts too

    def spy(self, url: str, headers: dict | None = None):
        fetched.append(url)
        return fetch(self, url, headers)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fetcher_class, "fetch", spy)
        pdf = render_minutes(replace(document, candidates=candidates))
    if previous is not None:
        rendering._local.renderers[minutes_rendering.STYLESHEET_NAME] = previous
    return pdf, fetched


@pytest.mark.parametrize("pdf_fixture", ["minutes_pdf", "long_pdf", "english_pdf", "hostile"])
def test_qpdf_finds_no_error(pdf_fixture, request, tmp_path):
    pdf = request.getfixturevalue(pdf_fixture)
    pdf = pdf[0] if isinstance(pdf, tuple) else pdf
    result = run_tool("qpdf", "--check", pdf=pdf, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


@pytest.mark.parametrize("pdf_fixture", ["minutes_pdf", "long_pdf"])
def test_the_pdf_is_pdf_a_3a_tagged_in_french_a4_portrait(pdf_fixture, request):
    with pikepdf.open(io.BytesIO(request.getfixturevalue(pdf_fixture))) as pdf:
        metadata = pdf.open_metadata()
        assert metadata["pdfaid:part"] == "3"
        assert metadata["pdfaid:conformance"] == "A"
        assert pdf.Root.Lang == "fr"
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.MarkInfo.Marked
        assert len(pdf.Root.OutputIntents) == 1
        title = str(pdf.docinfo.Title)
        assert title == "Procès-verbal de délibération — PV-2026-0007"
        assert metadata["dc:title"] == title
        # Dated at the closing, in Paris time: 15:45 UTC is 17:45 in June.
        assert str(pdf.docinfo.CreationDate).startswith("D:20260612174500+02")
        assert str(pdf.docinfo.ModDate) == str(pdf.docinfo.CreationDate)
        for page in pdf.pages:
            width, height = (float(v) for v in page.mediabox[2:])
            assert (width, height) == pytest.approx(A4_PORTRAIT, abs=1)


def test_every_font_is_embedded_and_subset(long_pdf, tmp_path):
    result = run_tool("pdffonts", pdf=long_pdf, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    fonts = result.stdout.splitlines()[2:]
    assert len(fonts) >= 2
    for font in fonts:
        name, columns = font.split()[0], font.split()
        assert re.fullmatch(r"[A-Z]{6}\+.+", name), font
        assert (columns[-5], columns[-4]) == ("yes", "yes"), font


def test_the_text_states_the_session_the_jury_every_vote_and_the_signatures(minutes_pdf, tmp_path):
    document = minutes_document()
    text = flat("\n".join(pages_of(minutes_pdf, tmp_path)))
    assert "Procès-verbal de délibération du jury de certification" in text
    assert document.certifier in text  # in the running header of the pages after the first
    version = f"Entrepreneur·e du bien-vivre — version {document.path_version}"
    for fact in ("RÉFÉRENCE : PV-2026-0007", version):
        assert fact in text
    assert "RNCP38123" in text
    assert "Promotion Lyon 2025" in text
    assert "vendredi 12 juin 2026" in text
    assert "Lyon, Institut des Territoires du Bien-Vivre, salle des Canuts" in text
    assert "Le jury réunit 3 membres, dont 2 extérieur·es à l’organisme certificateur" in text
    assert "sous la présidence de Yannick Le Goff" in text
    assert "Règle de décision : majorité simple des voix des membres non récusés" in text
    for member in document.members:
        assert member.name in text
        assert member.seat.replace("'", "’") in text
    assert "Scop Les Jardins d’Armor" in text
    assert "Président·e du jury" in text
    for candidate in document.candidates:
        assert text.count(candidate.name) >= 2  # in the summary and in its own section
        for block in candidate.blocks:
            assert block.code in text
            assert block.title.replace("'", "’") in text
        for vote in candidate.votes:
            assert vote.proposal in text
    for result in (
        "Certification obtenue (validation totale)",
        "Validation partielle",
        "Ajourné·e",
    ):
        assert f"Décision du jury : {result}" in text
    assert "Validé" in text
    assert "Non validé" in text
    assert "Consolider la conduite de projet avant une nouvelle présentation du bloc BC3." in text
    assert "Aucune préconisation." in text
    assert "Aucun membre du jury ne s’est déporté." in text
    assert "close le 12 juin 2026 à 17 h 45 (heure de Paris)" in text
    assert "Fait à Lyon, le 12 juin 2026" in text
    assert text.count("Signature") >= 3


def test_the_counts_add_up(long_pdf, tmp_path):
    page = flat(next(p for p in pages_of(long_pdf, tmp_path) if "RÉCAPITULATIF" in p))
    # 30 candidates cycling total, partial, deferred, total, partial, refused.
    assert re.search(r"30\s+10\s+10\s+5\s+5", page), page


def test_recusals_are_recorded_in_the_list_and_in_the_candidate_s_votes(long_pdf, tmp_path):
    text = flat("\n".join(pages_of(long_pdf, tmp_path)))
    recused = [c for c in minutes_document(candidates=30).candidates if c.recused]
    assert len(recused) == 7
    for candidate in recused:
        sentence = (
            f"Claire Dubois-Martin s’est déporté·e et n’a pas pris part à la délibération "
            f"concernant {candidate.name}."
        )
        assert sentence in text
    assert text.count("Récusé·e") == 7


def test_the_same_document_renders_the_same_bytes(minutes_pdf, long_pdf):
    assert render_minutes(minutes_document()) == minutes_pdf
    assert render_minutes(minutes_document(candidates=30)) == long_pdf


def test_thirty_candidates_paginate_with_page_x_of_y(long_pdf, tmp_path):
    pages = pages_of(long_pdf, tmp_path)
    with pikepdf.open(io.BytesIO(long_pdf)) as pdf:
        assert len(pdf.pages) == len(pages) > 5
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} sur {len(pages)}" in flat(page)
        if number > 1:  # the running header names the certifier and the minutes
            assert "procès-verbal PV-2026-0007" in flat(page)


def test_each_candidate_s_section_stays_on_one_page(long_pdf, tmp_path):
    pages = [flat(page) for page in pages_of(long_pdf, tmp_path)]
    names = [candidate.name for candidate in minutes_document(candidates=30).candidates]
    for page in pages:
        # A section opens with « Décision du jury » and closes with its recommendations.
        assert page.count("Décision du jury :") == page.count("PRÉCONISATIONS DU JURY"), page
    for name in names:
        heading = re.compile(rf"(^|\s){re.escape(name)} Décision du jury :")
        assert len([page for page in pages if heading.search(page)]) == 1, name


def test_the_closing_and_the_signatures_are_kept_together(long_pdf, tmp_path):
    last = flat(pages_of(long_pdf, tmp_path)[-1])
    assert "CLÔTURE" in last
    assert "Fait à Lyon, le 12 juin 2026" in last
    for member in MEMBERS:
        assert member.name in last


def test_a_table_broken_over_two_pages_repeats_its_header(tmp_path):
    document = minutes_document(candidates=30)
    document = replace(
        document, candidates=tuple(replace(c, recused=()) for c in document.candidates)
    )
    pages = pages_of(render_minutes(document), tmp_path)
    summary_pages = [page for page in pages if "BC1, BC2, BC3, BC4" in page]
    assert len(summary_pages) == 2  # the summary of decisions runs over two pages
    for page in summary_pages:
        assert "BLOCS VALIDÉS" in page


def test_english_minutes_say_so(english_pdf, tmp_path):
    with pikepdf.open(io.BytesIO(english_pdf)) as pdf:
        assert pdf.Root.Lang == "en"
        assert str(pdf.docinfo.Title) == "Minutes of deliberation — PV-2026-0007"
    pages = pages_of(english_pdf, tmp_path)
    text = flat("\n".join(pages))
    assert "Minutes of the deliberation of the certification jury" in text
    assert "Decision of the jury: Certification awarded (full validation)" in text
    assert "Decision of the jury: Partial validation" in text
    assert "Decision of the jury: Deferred" in text
    assert "The jury has 3 members, 2 of them external to the certifying organisation" in text
    assert "closed on June 12, 2026 at 17:45 (Paris time)" in text
    assert "Done in Lyon on June 12, 2026" in text
    assert f"Page 1 of {len(pages)}" in flat(pages[0])


def test_hostile_text_gives_valid_minutes_with_every_name_and_no_fetch(hostile, tmp_path):
    pdf, fetched = hostile
    xmp = ET.tostring(xmp_of(pdf), encoding="unicode")  # parsed by a strict XML parser
    assert "PV-2026" in xmp
    assert "\u202e" not in xmp
    text = squeezed("".join(pages_of(pdf, tmp_path)))
    for name in HOSTILE_TEXTS:
        printable = name.replace("'", "’")
        printable = "".join(c for c in printable if c.isprintable() or c == " ")
        assert squeezed(printable) in text, name
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert document.open_metadata()["pdfaid:part"] == "3"
        assert len(document.attachments) == 0
        assert "/AF" not in document.Root
        for value in document.docinfo.values():
            assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\u202e]", str(value))
        for page in document.pages:
            for annotation in page.get("/Annots", []):
                assert annotation.Subtype != "/FileAttachment"
    design = rendering.base_url()
    assert {url.removeprefix(design) for url in fetched} == {
        "minutes.css",
        "fonts/Lato-Regular.ttf",
        "fonts/GentiumBookPlus-Regular.ttf",
        "fonts/GentiumBookPlus-Italic.ttf",
        "logo.svg",
    }


def test_weasyprint_reports_no_problem(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    render_minutes(minutes_document(candidates=2, is_remote=True, rncp_code=""))
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
