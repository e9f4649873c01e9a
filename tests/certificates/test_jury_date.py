"""A certificate issued from a jury's decision names the jury's date; one without says nothing."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pytest

from lms.certificates.document import document_from_json, document_to_json
from lms.certificates.rendering import render_html, render_pdf
from tests.certificates.documents import block_attestation_document, path_certificate_document
from tests.certificates.test_pdf_names import (
    LONG_NAMES,
    needs_font_for,
    page_text,
    words_of_page_one,
)

JURY_ON = date(2026, 6, 12)
FRENCH = "Décision du jury de certification du 12 juin 2026"


@pytest.mark.parametrize("document", [path_certificate_document, block_attestation_document])
def test_the_jury_s_date_is_on_both_pages(document, tmp_path):
    pdf = render_pdf(document(jury_on=JURY_ON))
    for page in (1, 2):
        assert FRENCH in " ".join(page_text(pdf, page, tmp_path).split()), f"page {page}"


def test_the_jury_s_date_in_english_and_on_the_first_of_a_month():
    html = render_html(path_certificate_document(jury_on=JURY_ON, language="en"))
    assert html.count("Decision of the certification jury of June 12, 2026") == 2
    html = render_html(path_certificate_document(jury_on=date(2026, 7, 1)))
    assert html.count("Décision du jury de certification du 1er juillet 2026") == 2


def test_without_a_jury_the_certificate_says_nothing_of_one():
    html = render_html(path_certificate_document())
    assert "jury" not in html.lower()
    assert render_html(path_certificate_document(jury_on=None)) == html


def test_the_jury_s_date_is_stored_with_the_document_and_read_back():
    document = path_certificate_document(jury_on=JURY_ON)
    values = document_to_json(document)
    assert values["jury_on"] == "2026-06-12"
    assert document_from_json(values) == document


def test_a_document_stored_before_juries_reads_back_without_a_jury():
    values = document_to_json(path_certificate_document())
    del values["jury_on"]
    document = document_from_json(values)
    assert document.jury_on is None
    assert asdict(document) == asdict(path_certificate_document())


@pytest.mark.parametrize("case", ["spaces", "cjk"])
def test_the_jury_s_date_keeps_page_one_s_layout_with_the_longest_names(case, tmp_path):
    needs_font_for(case)
    pdf = render_pdf(path_certificate_document(learner_name=LONG_NAMES[case], jury_on=JURY_ON))
    top = {text: (y_min, y_max) for _x, y_min, _x2, y_max, text in words_of_page_one(pdf, tmp_path)}
    assert top["BC4"][1] < top["Fait"][0] < top["jury"][0] < top["Hélène"][0]
