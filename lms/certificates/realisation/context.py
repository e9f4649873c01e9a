"""The documents' plain values: what ``certificates/realisation.html`` shows, every sentence worded.

As for the certificate (``lms.certificates.context``), the template receives strings, numbers,
booleans, lists and dicts built here from the frozen document, never ORM objects (SECURITY.md
G27), and every text is first made printable (``lms.certificates.typesetting``): whatever path
a name came by, the PDF and its XMP metadata never carry what XML 1.0 forbids, nor a control
that would reorder the text. The sentences come from ``certificates/realisation.toml``.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from typing import Any

from lms.certificates.context import DESIGN_FOLDER, format_day
from lms.certificates.realisation.document import (
    CompetencyResult,
    DocumentKind,
    RealisationDocument,
)
from lms.certificates.typesetting import printable_values, text_direction, typeset

WORDING_NAME = "realisation.toml"
# The natures of action the Ministry's model lists; a path of this LMS is an « action de
# formation » (checked), never the others.
NATURES = ("training", "skills_review", "vae", "apprenticeship")
CHECKED_NATURE = "training"
LINE_END = re.compile(r"\r\n|\r|\n")
BLANK_LINE = re.compile(r"\n\s*\n")


@cache
def _wordings() -> dict[str, dict[str, str]]:
    with (DESIGN_FOLDER / WORDING_NAME).open("rb") as file:
        return tomllib.load(file)


def realisation_wording(language: str) -> dict[str, str]:
    """Return the documents' sentences in one language, or refuse a language they lack."""
    wordings = _wordings()
    if language not in wordings:
        known = ", ".join(sorted(wordings))
        raise ValueError(f"no realisation wording for language {language!r} (known: {known})")
    return wordings[language]


def format_hours(minutes: int, language: str) -> str:
    """Say a duration in hours: « 35 h », « 35 h 30 » (French), "35 h 30 min" (English)."""
    hours, rest = divmod(max(minutes, 0), 60)
    if not rest:
        return f"{hours}\u00a0h"
    if language == "fr":
        return f"{hours}\u00a0h\u00a0{rest:02d}"
    return f"{hours}\u00a0h\u00a0{rest:02d}\u00a0min"


def grouped(digits: str, sizes: tuple[int, ...]) -> str:
    """Return digits grouped as they are printed: SIRET 3-3-3-5, NDA 2-2-7."""
    parts, start = [], 0
    for size in sizes:
        parts.append(digits[start : start + size])
        start += size
    if start < len(digits):
        parts.append(digits[start:])
    return "\u00a0".join(part for part in parts if part)


def _paragraphs(text: str) -> list[str]:
    """Return the paragraphs of a text (split on blank lines, the lines of each joined), each
    made printable, the empty ones dropped: a description wrapped in the path's file reads as
    running text."""
    text = LINE_END.sub("\n", text)
    paragraphs = (" ".join(part.split()) for part in BLANK_LINE.split(text))
    return [line for line in (typeset(part).strip() for part in paragraphs) if line]


def _level(line: CompetencyResult, words: dict[str, str]) -> str:
    """Say the level reached: its label, « en cours d’acquisition » below the required one."""
    if not line.level_label:
        return words["not_assessed"]
    if line.attained:
        return line.level_label
    return words["not_attained"].format(level=line.level_label)


def _blocks(document: RealisationDocument, words: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "code": block.code,
            "title": block.title,
            "competencies": [
                {
                    "code": line.code,
                    "title": line.title,
                    "level": _level(line, words),
                    "required": line.required_label,
                    "attained": line.attained,
                }
                for line in block.competencies
            ],
        }
        for block in document.blocks
    ]


def realisation_context(document: RealisationDocument) -> dict[str, Any]:
    """Return the plain values the template shows, with every sentence already worded."""
    objectives = _paragraphs(document.objectives)
    document = printable_values(document)
    language = document.language
    words = realisation_wording(language)
    kind = document.kind.value
    heading = words[f"heading_{kind}"]
    title = words[f"title_{kind}"].format(reference=document.reference)
    made_on = format_day(document.made_on, "long", language)
    remote = (
        words["remote"].format(hours=format_hours(document.remote_minutes, language))
        if document.remote_minutes
        else words["no_remote"]
    )
    period = words["period"].format(
        start=format_day(document.starts_on, "long", language),
        end=format_day(document.ends_on, "long", language),
    )
    representative = document.representative_name
    if document.kind == DocumentKind.COMPLETION:
        undersigned = words["undersigned_completion"].format(
            representative=representative,
            title=document.representative_title,
            organisation=document.organisation,
        )
    else:
        undersigned = words["undersigned"].format(
            representative=representative, organisation=document.organisation
        )
    return {
        "lang": language,
        "t": dict(words),
        "kind": kind,
        "title": title,
        "heading": heading,
        "description": f"{document.path_title} · {document.learner_name}",
        "created": document.made_on.isoformat(),
        "organisation": document.organisation,
        "address": _paragraphs(document.address),
        "nda": words["nda"].format(nda=grouped(document.nda, (2, 2, 7))),
        "siret": words["siret"].format(siret=grouped(document.siret, (3, 3, 3, 5))),
        "reference": words["reference"].format(reference=document.reference),
        "running": words["running"].format(
            organisation=document.organisation, heading=heading, reference=document.reference
        ),
        "undersigned": undersigned,
        "learner_name": document.learner_name,
        "learner_rtl": text_direction(document.learner_name) == "rtl",
        "employer": document.employer or words["no_employer"],
        "action_title": words["action_title"].format(
            path=document.path_title, version=document.path_version, cohort=document.cohort_name
        ),
        "natures": [
            {
                "label": words[f"nature_{nature}"],
                "checked": nature == CHECKED_NATURE,
                "state": words["checked" if nature == CHECKED_NATURE else "unchecked"],
            }
            for nature in NATURES
        ],
        "period": period,
        "duration": format_hours(document.realised_minutes, language),
        "remote": remote,
        "objectives": objectives,
        "blocks": _blocks(document, words),
        "decision": document.decision or words["no_decision"],
        "made_at": words["made_at"].format(place=document.place, date=made_on),
        "signatory": words["signature_of"].format(
            name=representative, title=document.representative_title
        ),
    }
