"""The certificat de réalisation and the attestation as PDFs, checked by tools that did not
write them: poppler, qpdf, pikepdf. Rendered once per module, from fixed documents (no database).
"""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pikepdf
import pytest

from lms.certificates import rendering
from lms.certificates.realisation.context import format_hours, grouped, realisation_context
from lms.certificates.realisation.document import document_from_json, document_to_json
from lms.certificates.realisation.rendering import (
    STYLESHEET_NAME,
    realisation_template_version,
    render_realisation,
    render_realisation_html,
)
from tests.certificates.documents import HOSTILE_NAMES
from tests.certificates.realisation.documents import completion_document, realisation_document
from tests.certificates.test_minutes import A4_PORTRAIT, flat, pages_of
from tests.certificates.test_pdf import run_tool
from tests.certificates.test_pdf_names import HOSTILE, xmp_of


@pytest.fixture(scope="module")
def realisation_pdf() -> bytes:
    return render_realisation(realisation_document())


@pytest.fixture(scope="module")
def completion_pdf() -> bytes:
    return render_realisation(completion_document())


@pytest.fixture(scope="module")
def english_pdf() -> bytes:
    return render_realisation(realisation_document(language="en"))


@pytest.fixture(scope="module")
def hostile() -> tuple[bytes, list[str]]:
    """Render documents whose every text is a payload; record every URL the renderer fetched."""
    document = completion_document(
        learner_name=HOSTILE,
        organisation=HOSTILE_NAMES[0],
        address=HOSTILE_NAMES[1],
        representative_name=HOSTILE_NAMES[2],
        cohort_name=HOSTILE_NAMES[3],
        objectives=f"{HOSTILE}\n{HOSTILE_NAMES[0]}",
        reference="CR\u202e-7\uffff",
    )
    fetched: list[str] = []
    fetcher_class = rendering._fetcher_class()
    fetch = fetcher_class.fetch
    renderers = getattr(rendering._local, "renderers", {})
    previous = renderers.pop(STYLESHEET_NAME, None)  # refetch the fonts too

    def spy(self, url: str, headers: dict | None = None):
        fetched.append(url)
        return fetch(self, url, headers)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fetcher_class, "fetch", spy)
        pdf = render_realisation(document)
    if previous is not None:
        rendering._local.renderers[STYLESHEET_NAME] = previous
    return pdf, fetched


@pytest.mark.parametrize(
    "pdf_fixture", ["realisation_pdf", "completion_pdf", "english_pdf", "hostile"]
)
def test_qpdf_finds_no_error(pdf_fixture, request, tmp_path):
    pdf = request.getfixturevalue(pdf_fixture)
    pdf = pdf[0] if isinstance(pdf, tuple) else pdf
    result = run_tool("qpdf", "--check", pdf=pdf, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


@pytest.mark.parametrize(
    ("pdf_fixture", "language", "title"),
    [
        ("realisation_pdf", "fr", "Certificat de réalisation CR-7-42-1"),
        ("completion_pdf", "fr", "Attestation de fin de formation AFF-7-42-1"),
        ("english_pdf", "en", "Certificate of completion of training hours CR-7-42-1"),
    ],
)
def test_the_pdf_is_pdf_a_3a_tagged_a4_portrait(pdf_fixture, language, title, request):
    with pikepdf.open(io.BytesIO(request.getfixturevalue(pdf_fixture))) as pdf:
        metadata = pdf.open_metadata()
        assert metadata["pdfaid:part"] == "3"
        assert metadata["pdfaid:conformance"] == "A"
        assert pdf.Root.Lang == language
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.MarkInfo.Marked
        assert len(pdf.Root.OutputIntents) == 1
        assert str(pdf.docinfo.Title) == title
        assert metadata["dc:title"] == title
        assert str(pdf.docinfo.CreationDate).startswith("D:20260701")
        for page in pdf.pages:
            width, height = (float(v) for v in page.mediabox[2:])
            assert (width, height) == pytest.approx(A4_PORTRAIT, abs=1)


def test_the_certificat_keeps_to_one_page(realisation_pdf, english_pdf):
    for pdf in (realisation_pdf, english_pdf):
        with pikepdf.open(io.BytesIO(pdf)) as document:
            assert len(document.pages) == 1


def test_every_font_is_embedded_and_subset(completion_pdf, tmp_path):
    result = run_tool("pdffonts", pdf=completion_pdf, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    fonts = result.stdout.splitlines()[2:]
    assert len(fonts) >= 2
    for font in fonts:
        name, columns = font.split()[0], font.split()
        assert re.fullmatch(r"[A-Z]{6}\+.+", name), font
        assert (columns[-5], columns[-4]) == ("yes", "yes"), font


def test_the_certificat_states_every_field_of_the_ministry_s_model(realisation_pdf, tmp_path):
    text = flat("\n".join(pages_of(realisation_pdf, tmp_path)))
    # The dispensateur, its numbers and its legal representative.
    assert "Institut des Territoires du Bien-Vivre" in text
    assert "12 rue des Canuts, 69004 Lyon" in text
    assert "Déclaration d’activité n° 84 69 1234569" in text
    assert "SIRET 987 654 321 00015" in text
    assert (
        "Je soussigné·e Claire Martin, représentant·e légal·e du dispensateur de l’action "
        "concernée, Institut des Territoires du Bien-Vivre, atteste que :"
    ) in text
    # The learner and their employer (none recorded: a dash).
    assert "Nom et prénom du bénéficiaire Élise Fontaine" in text
    assert "Salarié·e de l’entreprise —" in text
    # The action, its nature (the first box checked, the three others not).
    assert "Entrepreneur·e du bien-vivre, version 4 — Promotion Lyon 2026" in text
    assert "Nature de l’action concourant au développement des compétences" in text
    assert "X action de formation" in text
    for nature in (
        "bilan de compétences",
        "action de VAE",
        "action de formation par apprentissage",
    ):
        assert nature in text
        assert f"X {nature}" not in text
    # Dates, duration and its remote share.
    assert "du 5 janvier 2026 au 30 juin 2026" in text
    assert "Pour une durée de 45 h 30" in text
    assert "dont 10 h de formation à distance" in text
    # The pledge, place, date and signature.
    assert "je m’engage à conserver l’ensemble des pièces justificatives" in text
    assert "pendant une durée de 3 ans à compter de la fin de l’année du dernier paiement" in text
    assert "Fait à Lyon, le 1er juillet 2026" in text
    assert "CACHET ET SIGNATURE DU RESPONSABLE DU DISPENSATEUR DE FORMATION" in text
    assert "Claire Martin, Directrice générale" in text
    assert "RÉF. CR-7-42-1" in text


def test_the_attestation_states_objectives_duration_and_results(completion_pdf, tmp_path):
    text = flat("\n".join(pages_of(completion_pdf, tmp_path)))
    assert "Attestation de fin de formation" in text
    assert "Claire Martin, Directrice générale, pour l’organisme de formation" in text
    assert "Concevoir un projet d’entreprise du bien-vivre." in text
    assert "Le conduire sur son territoire." in text
    assert "Action de formation (article L. 6313-1 du code du travail)" in text
    assert "du 5 janvier 2026 au 30 juin 2026" in text
    assert "Durée réalisée 45 h 30" in text
    assert "BC1 · Diagnostiquer un territoire et ses acteurs" in text
    assert "C1.1 Conduire un diagnostic partagé acquis acquis" in text
    assert "insuffisant, en cours d’acquisition" in text
    assert "C2.1 Animer un collectif non évalué" in text
    assert "Certification obtenue (validation totale), décidée le 2026-06-30." in text
    assert "Fait à Lyon, le 1er juillet 2026" in text
    # No Ministry's boxes nor pledge on the attestation.
    assert "bilan de compétences" not in text
    assert "pièces justificatives" not in text


def test_the_attestation_without_results_or_decision_says_so(tmp_path):
    pdf = render_realisation(completion_document(blocks=(), decision=""))
    text = flat("\n".join(pages_of(pdf, tmp_path)))
    assert "Aucune compétence n’a encore été évaluée." in text
    assert "Aucune décision de certification n’a été prise à la date de cette attestation." in text


def test_the_english_certificat(english_pdf, tmp_path):
    text = flat("\n".join(pages_of(english_pdf, tmp_path)))
    assert "Certificate of completion of training hours" in text
    assert "For a duration of 45 h 30 min" in text
    assert "of which 10 h of distance learning" in text
    assert "from January 5, 2026 to June 30, 2026" in text
    assert "Made at Lyon, on July 1, 2026" in text
    assert "I undertake to keep all the supporting documents" in text


def test_no_remote_hours_are_said_as_none(tmp_path):
    pdf = render_realisation(realisation_document(remote_minutes=0))
    assert "dont aucune heure de formation à distance" in flat("\n".join(pages_of(pdf, tmp_path)))


def test_the_same_document_renders_the_same_bytes(realisation_pdf):
    assert render_realisation(realisation_document()) == realisation_pdf
    assert len(realisation_template_version()) == 16


def test_the_stored_document_renders_the_same_bytes_again(completion_pdf):
    values = document_to_json(completion_document())
    assert render_realisation(document_from_json(values)) == completion_pdf


def test_hostile_texts_are_printed_safely_and_nothing_else_is_fetched(hostile, tmp_path):
    pdf, fetched = hostile
    assert fetched, "the renderer fetched nothing: the spy saw nothing"
    for url in fetched:
        assert url.startswith(rendering.base_url()), url
    xmp = xmp_of(pdf)  # a strict XML parser: nothing XML 1.0 forbids
    assert xmp is not None
    text = "\n".join(pages_of(pdf, tmp_path))
    assert "\uffff" not in text
    assert "\u202e" not in text
    html = render_realisation_html(realisation_document(learner_name="<script>alert(1)</script>"))
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_hours_and_numbers_are_printed_as_french_writes_them():
    assert format_hours(0, "fr") == "0\u00a0h"
    assert format_hours(90, "fr") == "1\u00a0h\u00a030"
    assert format_hours(605, "en") == "10\u00a0h\u00a005\u00a0min"
    assert grouped("98765432100015", (3, 3, 3, 5)) == "987\u00a0654\u00a0321\u00a000015"
    assert grouped("84691234569", (2, 2, 7)) == "84\u00a069\u00a01234569"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="no realisation wording for language 'de'"):
        realisation_context(replace(realisation_document(), language="de"))
