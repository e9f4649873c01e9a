"""The certificate PDF, checked by tools that did not write it: poppler, qpdf and pikepdf.

Each PDF is rendered once per module (≈ 150 ms each). The poppler and qpdf checks skip, saying
why, where the binaries are missing (``apt-get install poppler-utils qpdf``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest

from lms.certificates import rendering
from lms.certificates.context import qr_code_data_url
from lms.certificates.rendering import render_pdf
from tests.certificates.documents import (
    HOSTILE_NAMES,
    VERIFICATION_URL,
    block_attestation_document,
    path_certificate_document,
)

A4_LANDSCAPE = (841.89, 595.28)  # points
SIZE_LIMIT = 60 * 1024  # PERFORMANCE.md target 3


def run_tool(name: str, *args: str, pdf: bytes, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run a poppler or qpdf command on the PDF, or skip when it is not installed."""
    binary = shutil.which(name)
    if binary is None:
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils qpdf)")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603  a fixed system tool on a file we wrote
        [binary, *args, str(path), *(["-"] if name == "pdftotext" else [])],
        capture_output=True,
        text=True,
        check=False,
    )


def text_of(pdf: bytes, tmp_path: Path) -> str:
    """Return the text poppler extracts from the PDF."""
    result = run_tool("pdftotext", "-enc", "UTF-8", pdf=pdf, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout


def squeezed(text: str) -> str:
    """Drop whitespace, so that a value wrapped over two lines still matches."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def path_pdf() -> bytes:
    """Render the path certificate of the shipped path once."""
    return render_pdf(path_certificate_document())


@pytest.fixture(scope="module")
def block_pdf() -> bytes:
    """Render the attestation of block BC2 once."""
    return render_pdf(block_attestation_document("BC2"))


@pytest.fixture(scope="module", params=HOSTILE_NAMES)
def hostile(request) -> tuple[str, bytes, list[str]]:
    """Render a certificate whose learner is named with a payload; record every fetched URL."""
    fetched: list[str] = []
    fetcher_class = rendering._fetcher_class()
    fetch = fetcher_class.fetch
    renderers = getattr(rendering._local, "renderers", {})
    previous = renderers.pop(rendering.STYLESHEET_NAME, None)  # a fresh one fetches fonts again

    def spy(self, url: str, headers: dict | None = None):
        fetched.append(url)
        return fetch(self, url, headers)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fetcher_class, "fetch", spy)
        pdf = render_pdf(path_certificate_document(learner_name=request.param))
    if previous is not None:
        rendering._local.renderers[rendering.STYLESHEET_NAME] = previous
    return request.param, pdf, fetched


def test_the_text_names_the_learner_the_number_and_the_verification_url(path_pdf, tmp_path):
    text = text_of(path_pdf, tmp_path)
    page_one = text.split("\f")[0]
    assert VERIFICATION_URL in page_one.splitlines()  # on one line of its own
    assert "Camille Lefèvre-Nguyễn" in text
    assert "EBV-2025-000042" in text
    assert VERIFICATION_URL in text
    assert "Certificat" in text
    assert "Fait à Lyon, le 1er octobre 2025" in text


def test_every_font_is_embedded_and_subset(path_pdf, tmp_path):
    result = run_tool("pdffonts", pdf=path_pdf, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    fonts = result.stdout.splitlines()[2:]
    assert len(fonts) >= 2
    for font in fonts:
        name, columns = font.split()[0], font.split()
        assert re.fullmatch(r"[A-Z]{6}\+.+", name), font  # subset prefix
        emb, sub = columns[-5], columns[-4]
        assert (emb, sub) == ("yes", "yes"), font


@pytest.mark.parametrize("pdf_fixture", ["path_pdf", "block_pdf"])
def test_qpdf_finds_no_error(pdf_fixture, request, tmp_path):
    pdf = request.getfixturevalue(pdf_fixture)
    result = run_tool("qpdf", "--check", pdf=pdf, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


@pytest.mark.parametrize("pdf_fixture", ["path_pdf", "block_pdf"])
def test_the_pdf_is_pdf_a_3a_tagged_in_french(pdf_fixture, request):
    with pikepdf.open(io.BytesIO(request.getfixturevalue(pdf_fixture))) as pdf:
        metadata = pdf.open_metadata()
        assert metadata["pdfaid:part"] == "3"
        assert metadata["pdfaid:conformance"] == "A"
        assert pdf.Root.Lang == "fr"
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.MarkInfo.Marked
        assert len(pdf.Root.OutputIntents) == 1
        title = str(pdf.docinfo.Title)
        assert re.fullmatch(r"(Certificat|Attestation) n° EBV-2025-(B-)?0000\d\d", title)
        assert metadata["dc:title"] == title


def test_the_pdf_is_dated_on_the_issue_day(path_pdf):
    with pikepdf.open(io.BytesIO(path_pdf)) as pdf:
        assert str(pdf.docinfo.CreationDate).startswith("D:20251001")
        assert str(pdf.docinfo.ModDate).startswith("D:20251001")


def test_two_a4_landscape_pages(path_pdf, block_pdf):
    for document in (path_pdf, block_pdf):
        with pikepdf.open(io.BytesIO(document)) as pdf:
            assert len(pdf.pages) == 2
            for page in pdf.pages:
                width, height = (float(v) for v in page.mediabox[2:])
                assert (width, height) == pytest.approx(A4_LANDSCAPE, abs=1)


def test_a_very_long_name_keeps_the_certificate_on_two_pages():
    name = "Marie-Amélie-Joséphine de La Tour-Saint-Vincent d'Argenson-Bellegarde-Kowalczyk"
    pdf = render_pdf(path_certificate_document(learner_name=name))
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 2


def test_an_english_pdf_says_so():
    with pikepdf.open(io.BytesIO(render_pdf(path_certificate_document(language="en")))) as pdf:
        assert pdf.Root.Lang == "en"
        assert str(pdf.docinfo.Title) == "Certificate No. EBV-2025-000042"


def test_the_block_attestation_is_a_partial_validation_of_its_block_only(block_pdf, tmp_path):
    text = " ".join(text_of(block_pdf, tmp_path).split())
    assert "Attestation de validation partielle" in text
    assert "Validation partielle" in text
    assert "Mobiliser et fédérer les acteurs" in text
    for other in (
        "Diagnostiquer un territoire",
        "Faire émerger et accompagner des projets",
        "Évaluer l’impact et piloter",
    ):
        assert other not in text


def test_the_transcript_lists_modules_and_competencies(path_pdf, tmp_path):
    text = " ".join(text_of(path_pdf, tmp_path).split())
    assert "Relevé de formation et de compétences" in text
    assert "Créer des alliances inédites" in text
    assert "Créer des alliances inédites — 21 h, du 17 mars 2025 au 18 avr. 2025" in text
    assert "189 h" in text
    assert "Construire un plan de financement hybride" in text
    assert "Maîtrisé, niveau 4 ; niveau requis : 3" in text  # split() made spaces plain


def test_the_path_certificate_stays_small(path_pdf):
    assert len(path_pdf) <= SIZE_LIMIT


def test_the_same_document_renders_the_same_bytes(path_pdf):
    assert render_pdf(path_certificate_document()) == path_pdf


def test_another_process_renders_the_same_bytes(path_pdf):
    script = textwrap.dedent(
        """
        import hashlib
        from lms.certificates.rendering import render_pdf
        from tests.certificates.documents import path_certificate_document
        print(hashlib.sha256(render_pdf(path_certificate_document())).hexdigest())
        """
    )
    result = subprocess.run(  # noqa: S603  our own interpreter and script
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == hashlib.sha256(path_pdf).hexdigest()


def test_a_hostile_name_is_literal_text_with_no_attachment_and_no_fetch(hostile, tmp_path):
    payload, pdf, fetched = hostile
    assert squeezed(payload) in squeezed(text_of(pdf, tmp_path))
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 2
        assert len(document.attachments) == 0
        assert "/AF" not in document.Root
        assert "/EmbeddedFiles" not in document.Root.get("/Names", {})
        for page in document.pages:
            for annotation in page.get("/Annots", []):
                assert annotation.Subtype != "/FileAttachment"
    # The spy saw the design's stylesheet, fonts, logo and seal, and the QR code: nothing else.
    design = rendering.base_url()
    assert {url.removeprefix(design) for url in fetched if url.startswith(design)} == {
        "certificate.css",
        "fonts/Lato-Regular.ttf",
        "fonts/GentiumBookPlus-Regular.ttf",
        "fonts/GentiumBookPlus-Italic.ttf",
        "logo.svg",
        "seal.svg",
    }
    others = [url for url in fetched if not url.startswith(design)]
    assert others == [qr_code_data_url(VERIFICATION_URL)]


def test_the_images_kept_between_pdfs_are_the_logo_and_the_seal_only(path_pdf, block_pdf):
    render_pdf(path_certificate_document(verification_url=VERIFICATION_URL + "X"))
    kept = sorted(rendering._renderer().design_images)
    assert kept == [rendering.base_url() + "logo.svg", rendering.base_url() + "seal.svg"]


def test_weasyprint_reports_no_problem(caplog):
    # Tagging problems (an image without alternative text, no language) are logged, not raised.
    caplog.set_level(logging.WARNING, logger="weasyprint")
    render_pdf(block_attestation_document("BC4"))
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_another_thread_renders_the_same_bytes_with_its_own_fonts(path_pdf):
    with ThreadPoolExecutor(max_workers=1) as pool:
        pdf, renderer = pool.submit(
            lambda: (render_pdf(path_certificate_document()), rendering._renderer())
        ).result()
    assert pdf == path_pdf
    assert renderer is not rendering._renderer()  # one FontConfiguration per thread


def _render_in_child() -> tuple[str, int, bool]:
    """Render in a forked process: the PDF's hash, the renderer's pid, the parent's kept."""
    pdf = render_pdf(path_certificate_document())
    inherited = [renderer.pid for renderer in rendering._inherited]
    return hashlib.sha256(pdf).hexdigest(), rendering._renderer().pid, bool(inherited)


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork (POSIX)"
)
def test_a_forked_process_renders_the_same_bytes_with_its_own_fonts(path_pdf):
    parent = rendering._renderer()
    with multiprocessing.get_context("fork").Pool(1) as pool:
        digest, pid, kept_parents = pool.apply(_render_in_child)
    assert digest == hashlib.sha256(path_pdf).hexdigest()
    assert pid != os.getpid()
    assert kept_parents  # the parent's renderer is kept in the child, never collected there
    assert parent.font_config._folder.is_dir()  # so the parent's font files are still there
    assert render_pdf(path_certificate_document()) == path_pdf
