"""The minutes' HTML, wording and template version: what the jury's PDF says, before WeasyPrint."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import date, datetime

import pytest

from lms.certificates import rendering
from lms.certificates.minutes import (
    MinutesMember,
    minutes_template_version,
    render_minutes_html,
)
from lms.certificates.minutes.context import minutes_context, minutes_wording
from lms.certificates.rendering import AssetRefused, resolve_asset, template_version
from tests.certificates.documents import HOSTILE_NAMES
from tests.certificates.minutes_documents import MEMBERS, minutes_candidate, minutes_document


def test_importing_the_minutes_does_not_import_weasyprint():
    script = textwrap.dedent(
        """
        import sys
        import lms.certificates.minutes
        lms.certificates.minutes.render_minutes_html
        print("weasyprint" in sys.modules)
        """
    )
    result = subprocess.run(  # noqa: S603  our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("payload", [name for name in HOSTILE_NAMES if "<" in name])
def test_every_value_is_escaped_in_the_html(payload):
    member = MinutesMember(payload, payload, True, False, payload)
    document = minutes_document(
        candidate_names=(payload,), members=(*MEMBERS, member), place=payload, reference=payload
    )
    html = render_minutes_html(document)
    assert payload not in html
    assert payload.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in html


def test_template_syntax_in_a_value_is_not_evaluated():
    html = render_minutes_html(minutes_document(candidate_names=("{{7*7}} {% raw %}",)))
    assert "{{7*7}} {% raw %}" in html
    assert ">49<" not in html


def test_the_template_receives_plain_values_only():
    def plain(value):
        if isinstance(value, dict):
            return all(isinstance(key, str) and plain(item) for key, item in value.items())
        if isinstance(value, list):
            return all(plain(item) for item in value)
        return isinstance(value, str | int | bool)

    assert plain(minutes_context(minutes_document(candidates=6)))


def test_the_html_names_the_minutes_in_their_language():
    html = render_minutes_html(minutes_document())
    assert '<html lang="fr">' in html
    assert "<title>Procès-verbal de délibération — PV-2026-0007</title>" in html
    assert '<meta name="dcterms.created" content="2026-06-12T17:45:00+02:00">' in html
    assert 'data-page="Page" data-page-of="sur"' in html


def test_a_remote_session_says_so_with_or_without_a_place():
    context = minutes_context(minutes_document(is_remote=True, place=""))
    assert {"label": "Lieu", "value": "À distance"} in context["facts"]
    context = minutes_context(minutes_document(is_remote=True, place="Lyon"))
    assert {"label": "Lieu", "value": "À distance, séance organisée depuis Lyon"} in context[
        "facts"
    ]


def test_a_certification_without_rncp_code_shows_no_empty_line():
    labels = [fact["label"] for fact in minutes_context(minutes_document(rncp_code=""))["facts"]]
    assert "Code RNCP" not in labels
    assert "Certification" in labels


def test_the_closing_time_is_paris_time_in_winter_and_for_a_naive_utc_time():
    context = minutes_context(minutes_document(closed_at=datetime(2027, 1, 1, 16, 5)))
    assert "close le 1er janvier 2027 à 17\u00a0h\u00a005 (heure de Paris)" in context["closed"]
    assert context["made_at"] == "Fait à Lyon, le 1er janvier 2027"
    assert context["created"] == "2027-01-01T17:05:00+01:00"


def test_the_quorum_sentence_counts_members_and_names_the_president():
    context = minutes_context(minutes_document())
    assert context["quorum"].startswith(
        "Le jury réunit 3 membres, dont 2 extérieur·es à l’organisme certificateur, "
        "sous la présidence de Yannick Le Goff."
    )
    alone = (replace(MEMBERS[0], is_president=False),)
    context = minutes_context(minutes_document(members=alone))
    assert context["quorum"].startswith(
        "Le jury réunit 1 membre, dont aucun·e extérieur·e à l’organisme certificateur. Le quorum"
    )


def test_the_majority_rule_ends_with_one_full_stop():
    context = minutes_context(minutes_document(majority_rule="majorité simple. "))
    assert context["majority"] == "Règle de décision\u00a0: majorité simple."


def test_votes_follow_the_jury_s_order_and_a_recused_member_is_named_so():
    candidate = minutes_candidate(3)  # the first member is recused
    reversed_votes = replace(candidate, votes=tuple(reversed(candidate.votes)))
    context = minutes_context(replace(minutes_document(), candidates=(reversed_votes,)))
    votes = context["candidates"][0]["votes"]
    assert [vote["name"] for vote in votes] == [member.name for member in MEMBERS]
    assert votes[0]["proposal"] == "Récusé·e"
    assert context["recusals"] == [
        "Claire Dubois-Martin s’est déporté·e et n’a pas pris part à la délibération "
        f"concernant {candidate.name}."
    ]


def test_recommendations_keep_their_lines_and_lose_hostile_characters():
    candidate = replace(
        minutes_candidate(1), recommendations="Premier point\u202e.\r\n\r\nSecond point d'appui.\n"
    )
    context = minutes_context(replace(minutes_document(), candidates=(candidate,)))
    assert context["candidates"][0]["recommendations"] == [
        "Premier point.",
        "Second point d’appui.",
    ]


def test_an_unknown_result_or_language_is_refused():
    candidate = replace(minutes_candidate(0), result="maybe")
    with pytest.raises(ValueError, match="unknown result 'maybe'"):
        render_minutes_html(replace(minutes_document(), candidates=(candidate,)))
    with pytest.raises(ValueError, match="no minutes wording for language 'de'"):
        render_minutes_html(minutes_document(language="de"))


def test_every_language_has_every_sentence():
    french, english = minutes_wording("fr"), minutes_wording("en")
    assert set(french) == set(english)
    assert all(text.strip() for text in [*french.values(), *english.values()])
    assert not any("'" in text for text in french.values())  # the apostrophe is ’


def test_an_rtl_name_is_set_right_to_left():
    name = "محمد بن عبد الله الفاسي"
    context = minutes_context(minutes_document(candidate_names=(name,)))
    assert context["candidates"][0]["rtl"] is True
    assert context["candidates"][1]["rtl"] is False


def test_the_first_of_a_month_is_an_ordinal():
    context = minutes_context(minutes_document(held_on=date(2026, 6, 1)))
    assert {"label": "Date de la séance", "value": "lundi 1er juin 2026"} in context["facts"]


def test_the_wording_file_is_never_served():
    with pytest.raises(AssetRefused):
        resolve_asset(rendering.base_url() + "minutes.toml")


def _copy_design(tmp_path, monkeypatch):
    copy = tmp_path / "certificates"
    for path in rendering.DESIGN_FOLDER.rglob("*"):
        if path.is_file():
            target = copy / path.relative_to(rendering.DESIGN_FOLDER)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    monkeypatch.setattr(rendering, "DESIGN_FOLDER", copy)
    return copy


def test_each_document_has_its_own_template_version(tmp_path, monkeypatch):
    assert len(minutes_template_version()) == 16
    assert minutes_template_version() != template_version()
    copy = _copy_design(tmp_path, monkeypatch)
    certificate, minutes = template_version.__wrapped__(), minutes_template_version.__wrapped__()
    with (copy / "minutes.css").open("a") as css:
        css.write("h1 { color: black; }\n")
    assert template_version.__wrapped__() == certificate  # certificates already issued keep it
    assert minutes_template_version.__wrapped__() != minutes
    minutes = minutes_template_version.__wrapped__()
    with (copy / "certificate.css").open("a") as css:
        css.write("h1 { color: black; }\n")
    assert minutes_template_version.__wrapped__() == minutes
    assert template_version.__wrapped__() != certificate
    (copy / "fonts" / "Lato-Regular.ttf").write_bytes(b"another font")
    assert minutes_template_version.__wrapped__() != minutes  # the fonts are shared
