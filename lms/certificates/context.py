"""The certificate's plain values: what the template shows, every sentence already worded.

The template receives strings, numbers, lists and dicts built here from the frozen document,
never ORM objects (SECURITY.md G27); the sentences come from ``certificates/wording.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

import segno
from babel.dates import format_date

from lms.certificates.document import CertificateDocument
from lms.certificates.typesetting import name_size, printable_values, text_direction
from lms.core.pdf import DESIGN_FOLDER
from lms.core.text import printable

WORDING_NAME = "wording.toml"


@cache
def _wordings() -> dict[str, dict[str, str]]:
    with (DESIGN_FOLDER / WORDING_NAME).open("rb") as file:
        return tomllib.load(file)


def wording(language: str) -> dict[str, str]:
    """Return the certificate's sentences in one language, or refuse a language it lacks."""
    wordings = _wordings()
    if language not in wordings:
        known = ", ".join(sorted(wordings))
        raise ValueError(f"no certificate wording for language {language!r} (known: {known})")
    return wordings[language]


def format_day(day: date, style: str, language: str) -> str:
    """Return the day as the certificate writes it (Babel's ``style``, « 1er » in French)."""
    text = format_date(day, format=style, locale=language)
    # French writes the first day of a month as an ordinal: « le 1er juillet 2025 », « lundi
    # 1er juin 2026 ».
    if language == "fr" and day.day == 1:
        text = re.sub(r"(?<!\d)1(?= )", "1er", text, count=1)
    return text


def _period(start: date | None, end: date | None, language: str, words: dict[str, str]) -> str:
    if start and end:
        return words["from_to"].format(
            start=format_day(start, "medium", language), end=format_day(end, "medium", language)
        )
    if start:
        return words["from_only"].format(start=format_day(start, "medium", language))
    if end:
        return words["until_only"].format(end=format_day(end, "medium", language))
    return words["no_dates"]


def qr_code_data_url(url: str) -> str:
    """Return the QR code of the verification URL as a PNG data URL, one pixel per module."""
    code = segno.make(url, error="m", micro=False)
    return code.png_data_uri(scale=1, border=0)  # the quiet zone is the stylesheet's padding


def _competency_groups(document: CertificateDocument, words: dict[str, str]) -> list[dict]:
    titles = {block.code: block.title for block in document.blocks}
    groups: list[dict[str, Any]] = []
    for line in document.competencies:
        if not groups or groups[-1]["code"] != line.block_code:
            title = titles.get(line.block_code, "")
            groups.append({"code": line.block_code, "title": title, "competencies": []})
        summary = words["competency_summary"].format(
            label=line.level_label, level=line.level, required=line.required_level
        )
        groups[-1]["competencies"].append(
            {"code": line.code, "title": line.title, "summary": summary}
        )
    return groups


def _module_lines(document: CertificateDocument, words: dict[str, str]) -> list[dict]:
    return [
        {
            "code": module.code,
            "title": module.title,
            "summary": words["module_summary"].format(
                hours=module.hours,
                period=_period(module.opens_on, module.closes_on, document.language, words),
            ),
        }
        for module in document.modules
    ]


def certificate_context(document: CertificateDocument) -> dict[str, Any]:
    """Return the plain values the template shows, with every sentence already worded.

    Every text of the document is first ``typeset``: whatever path a name came by (a form, an
    import, the command line, the database), the PDF and its XMP metadata never carry what
    XML 1.0 forbids, nor a control that would reorder the text.
    """
    # The URL is printable but never retouched: the QR code and the text must open the page.
    url = printable(document.verification_url)
    document = replace(printable_values(document), verification_url=url)
    words = wording(document.language)
    kind = "block" if document.is_partial else "path"
    title = words[f"title_{kind}"].format(number=document.number)
    statement = words[f"completed_{kind}"].format(
        path=document.path_title,
        version=document.path_version,
        hours=document.total_hours,
        cohort=document.cohort_name,
    )
    return {
        "lang": document.language,
        "t": dict(words),
        "title": title,
        "description": f"{document.path_title} · {document.learner_name}",
        "issued_on": document.issued_on.isoformat(),
        "is_partial": document.is_partial,
        "organisation": document.organisation,
        "number_label": words["number"].format(number=document.number),
        "heading": words[f"heading_{kind}"],
        "subheading": words[f"subheading_{kind}"],
        "certifies": words["certifies"].format(organisation=document.organisation),
        "learner_name": document.learner_name,
        "name_size": name_size(document.learner_name),
        "name_direction": text_direction(document.learner_name),
        "statement": statement,
        "blocks": [{"code": block.code, "title": block.title} for block in document.blocks],
        "partial_note": words["partial_note"] if document.is_partial else "",
        "made_at": words["made_at"].format(
            place=document.place, date=format_day(document.issued_on, "long", document.language)
        ),
        "jury_decision": (
            words["jury_decision"].format(
                date=format_day(document.jury_on, "long", document.language)
            )
            if document.jury_on
            else ""
        ),
        "signatory_name": document.signatory_name,
        "signatory_title": document.signatory_title,
        "verification_url": document.verification_url,
        "qr_src": qr_code_data_url(document.verification_url),
        "qr_alt": words["qr_title"].format(url=document.verification_url),
        "transcript_of": words["transcript_of"].format(
            learner=document.learner_name,
            path=document.path_title,
            version=document.path_version,
            cohort=document.cohort_name,
        ),
        "modules": _module_lines(document, words),
        "total_hours_label": words["total_hours"].format(hours=document.total_hours),
        "competency_groups": _competency_groups(document, words),
        "footer": words["footer"].format(title=title, learner=document.learner_name),
    }
