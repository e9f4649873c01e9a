"""The certificate's HTML, its wording, its template version and the locked-down URL fetcher."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from lms.certificates import rendering
from lms.certificates.context import certificate_context, qr_code_data_url, wording
from lms.certificates.rendering import (
    DESIGN_FOLDER,
    AssetRefused,
    asset_fetcher,
    render_html,
    resolve_asset,
    template_version,
)
from tests.certificates.documents import (
    HOSTILE_NAMES,
    VERIFICATION_URL,
    block_attestation_document,
    path_certificate_document,
)


def test_importing_the_application_does_not_import_weasyprint(tmp_path):
    script = textwrap.dedent(
        """
        import sys
        import lms
        import lms.certificates.rendering
        lms.create_app()
        print("weasyprint" in sys.modules)
        """
    )
    result = subprocess.run(  # noqa: S603  our own interpreter and script
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"LMS_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("payload", [name for name in HOSTILE_NAMES if "<" in name])
def test_every_value_is_escaped_in_the_html(payload):
    html = render_html(path_certificate_document(learner_name=payload, place=payload))
    assert payload not in html
    assert payload.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in html


def test_template_syntax_in_a_value_is_not_evaluated():
    html = render_html(path_certificate_document(learner_name="{{7*7}} {% raw %}"))
    assert "{{7*7}} {% raw %}" in html


def test_the_template_receives_plain_values_only():
    def plain(value):
        if isinstance(value, dict):
            return all(isinstance(key, str) and plain(item) for key, item in value.items())
        if isinstance(value, list):
            return all(plain(item) for item in value)
        return isinstance(value, str | int | bool)

    assert plain(certificate_context(path_certificate_document()))


def test_the_html_names_the_document_in_its_language():
    html = render_html(path_certificate_document())
    assert '<html lang="fr">' in html
    assert "<title>Certificat n° EBV-2025-000042</title>" in html
    assert '<meta name="dcterms.created" content="2025-10-01">' in html
    assert "Fait à Lyon, le 1er octobre 2025" in html
    assert "14 h, du 6 janv. 2025 au 7 févr. 2025" in html
    assert "Maîtrisé, niveau 4\u202f; niveau requis\u00a0: 3" in html


def test_an_english_document_is_worded_in_english():
    html = render_html(path_certificate_document(language="en"))
    assert '<html lang="en">' in html
    assert "<title>Certificate No. EBV-2025-000042</title>" in html
    assert "Issued in Lyon on October 1, 2025" in html


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("document", [path_certificate_document, block_attestation_document])
def test_a_cohort_name_with_parentheses_is_never_nested_in_others(document, language):
    cohort = "Promotion Lyon (printemps 2025)"
    statement = certificate_context(document(cohort_name=cohort, language=language))["statement"]
    assert cohort in statement
    depth = 0
    for char in statement:
        depth += {"(": 1, ")": -1}.get(char, 0)
        assert depth <= 1, statement


def test_a_level_reads_as_a_level_not_a_fraction():
    html = render_html(path_certificate_document(language="en"))
    assert "Maîtrisé, level 4; required level: 3" in html
    assert " / " not in html


def test_one_kind_of_apostrophe_whatever_the_names_and_titles_hold():
    context = certificate_context(path_certificate_document(learner_name="Jeanne d'Arc"))
    assert context["learner_name"] == "Jeanne d\u2019Arc"
    assert "'" not in render_html(path_certificate_document(learner_name="Jeanne d'Arc"))
    assert "&#39;" not in render_html(path_certificate_document(learner_name="Jeanne d'Arc"))


def test_the_first_of_a_month_is_an_ordinal_in_french_dates():
    document = path_certificate_document()
    first = replace(document.modules[0], opens_on=date(2025, 3, 1), closes_on=date(2025, 4, 1))
    html = render_html(replace(document, modules=(first, *document.modules[1:])))
    assert "du 1er mars 2025 au 1er avr. 2025" in html


def test_a_language_without_wording_is_refused():
    with pytest.raises(ValueError, match="no certificate wording for language 'de'"):
        render_html(path_certificate_document(language="de"))


def test_a_block_attestation_says_partial_and_lists_its_block_only():
    html = render_html(block_attestation_document("BC2"))
    assert "Attestation de validation partielle" in html
    assert "Mobiliser et fédérer les acteurs" in html
    for other in ("Diagnostiquer un territoire", "Faire émerger et accompagner", "Évaluer l’imp"):
        assert other not in html


def test_a_module_without_dates_says_so():
    document = path_certificate_document()
    first = replace(document.modules[0], opens_on=None, closes_on=None)
    html = render_html(replace(document, modules=(first, *document.modules[1:])))
    assert "14 h, dates non précisées" in html


def test_the_template_version_is_a_short_stable_hash():
    assert template_version() == rendering.TEMPLATE_VERSION
    assert len(template_version()) == 16
    int(template_version(), 16)


def test_the_template_version_changes_with_any_design_file(tmp_path, monkeypatch):
    copy = tmp_path / "certificates"
    copy.mkdir()
    for path in DESIGN_FOLDER.rglob("*"):
        if path.is_file():
            target = copy / path.relative_to(DESIGN_FOLDER)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    monkeypatch.setattr(rendering, "DESIGN_FOLDER", copy)
    unchanged = template_version.__wrapped__()
    (copy / "README.md").write_text("Notes do not change what is rendered.")
    assert template_version.__wrapped__() == unchanged
    with (copy / "certificate.css").open("a") as css:
        css.write("h1 { color: black; }\n")
    assert template_version.__wrapped__() != unchanged


def test_the_fetcher_serves_design_files():
    path, media_type = resolve_asset((DESIGN_FOLDER / "fonts" / "Lato-Regular.ttf").as_uri())
    assert path == DESIGN_FOLDER / "fonts" / "Lato-Regular.ttf"
    assert media_type == "font/ttf"
    response = asset_fetcher().fetch(rendering.base_url() + "certificate.css")
    assert response.read() == (DESIGN_FOLDER / "certificate.css").read_bytes()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        rendering.base_url() + "../pyproject.toml",
        rendering.base_url() + "%2e%2e/pyproject.toml",
        rendering.base_url() + "fonts/../../pyproject.toml",
        rendering.base_url() + "README.md",
        rendering.base_url() + "wording.toml",
        rendering.base_url() + "fonts",
        rendering.base_url() + "missing.css",
        rendering.base_url() + "certificate.css?x=1",
        "file://evil.example" + str(DESIGN_FOLDER / "certificate.css"),
        "http://127.0.0.1/certificate.css",
        "https://example.org/logo.svg",
        "data:text/css,body{}",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "data:image/png;base64,bm90IGEgcG5n",
        "data:image/png;base64,%%%",
        "ftp://example.org/x.css",
        "certificate.css",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises(AssetRefused):
        resolve_asset(url)
    with pytest.raises(AssetRefused):
        asset_fetcher().fetch(url)


def test_the_fetcher_serves_the_qr_code_png_and_nothing_bigger():
    url = qr_code_data_url(VERIFICATION_URL)
    response = asset_fetcher().fetch(url)
    assert response.read().startswith(b"\x89PNG")
    assert response.content_type == "image/png"
    with pytest.raises(AssetRefused):
        asset_fetcher().fetch(url + "A" * rendering.QR_DATA_LIMIT)


def test_the_qr_code_is_in_the_html_with_its_alternative_text():
    html = render_html(path_certificate_document())
    assert f'src="{qr_code_data_url(VERIFICATION_URL)}"' in html
    assert f'alt="Code QR de vérification : {VERIFICATION_URL}"' in html


def test_the_fetcher_refuses_a_symbolic_link_leading_out_of_the_design(tmp_path):
    design = tmp_path / "design"
    design.mkdir()
    (tmp_path / "secret.css").write_text("body { color: red }")
    (design / "inside.css").write_text("body {}")
    (design / "leak.css").symlink_to(tmp_path / "secret.css")
    (design / "alias.css").symlink_to(design / "inside.css")
    assert resolve_asset((design / "alias.css").as_uri(), folder=design)[0] == (
        design / "inside.css"
    )
    with pytest.raises(AssetRefused, match="not a file of the design"):
        resolve_asset((design / "leak.css").as_uri(), folder=design)


def test_the_design_folder_is_the_top_level_certificates_folder():
    assert Path(__file__).resolve().parents[2] / "certificates" == DESIGN_FOLDER
    assert (DESIGN_FOLDER / "certificate.html").is_file()


def test_every_language_has_every_sentence():
    french, english = wording("fr"), wording("en")
    assert set(french) == set(english)
    assert all(text.strip() for text in [*french.values(), *english.values()])


def test_the_shared_documents_follow_the_shipped_path():
    document, attestation = path_certificate_document(), block_attestation_document("BC3")
    assert (len(document.modules), len(document.blocks), len(document.competencies)) == (8, 4, 12)
    assert [block.code for block in attestation.blocks] == ["BC3"]
    assert [module.code for module in attestation.modules] == ["M5", "M6", "M7"]
    assert {line.block_code for line in attestation.competencies} == {"BC3"}


def test_the_verification_url_is_never_retouched():
    url = VERIFICATION_URL + "?it's"
    context = certificate_context(path_certificate_document(verification_url=url))
    assert context["verification_url"] == url
    assert context["qr_src"] == qr_code_data_url(url)
