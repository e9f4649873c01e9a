"""The minutes' plain values: what ``certificates/minutes.html`` shows, every sentence worded.

As for the certificate (``lms.certificates.context``), the template receives strings, numbers,
booleans, lists and dicts built here from the frozen document, never ORM objects (SECURITY.md
G27), and every text is first made printable (``lms.certificates.typesetting``): whatever path
a name came by, the PDF and its XMP metadata never carry what XML 1.0 forbids, nor a control
that would reorder the text. The sentences come from ``certificates/minutes.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from lms.certificates.context import DESIGN_FOLDER, format_day
from lms.certificates.minutes.document import (
    RESULTS,
    MinutesCandidate,
    MinutesDocument,
    MinutesMember,
)
from lms.certificates.typesetting import printable_values, text_direction, typeset

WORDING_NAME = "minutes.toml"
# The minutes state the closing time as the jury read it on the clock: Paris time.
PARIS = ZoneInfo("Europe/Paris")
LINE_END = re.compile(r"\r\n|\r|\n")


@cache
def _wordings() -> dict[str, dict[str, str]]:
    with (DESIGN_FOLDER / WORDING_NAME).open("rb") as file:
        return tomllib.load(file)


def minutes_wording(language: str) -> dict[str, str]:
    """Return the minutes' sentences in one language, or refuse a language they lack."""
    wordings = _wordings()
    if language not in wordings:
        known = ", ".join(sorted(wordings))
        raise ValueError(f"no minutes wording for language {language!r} (known: {known})")
    return wordings[language]


def _counted(words: dict[str, str], key: str, count: int, **values: Any) -> str:
    """Return the sentence ``key_one`` or ``key_many`` for the count (0 and 1 take _one)."""
    return words[f"{key}_{'one' if count <= 1 else 'many'}"].format(count=count, **values)


def closed_at_paris(document: MinutesDocument) -> datetime:
    """Return the closing time in Paris (a naive time is taken as UTC, as the database keeps)."""
    closed_at = document.closed_at
    if closed_at.tzinfo is None:
        closed_at = closed_at.replace(tzinfo=UTC)
    return closed_at.astimezone(PARIS)


def _paragraphs(text: str) -> list[str]:
    """Return the lines of a multi-line text, each made printable, the empty ones dropped."""
    return [line for line in (typeset(part).strip() for part in LINE_END.split(text)) if line]


def _named(name: str) -> dict[str, Any]:
    return {"name": name, "rtl": text_direction(name) == "rtl"}


def _member(member: MinutesMember, words: dict[str, str]) -> dict[str, Any]:
    return {
        **_named(member.name),
        "seat": member.seat,
        "organisation": member.organisation or words["no_organisation"],
        "status": words["external" if member.is_external else "internal"],
        "is_president": member.is_president,
    }


def _candidate(
    candidate: MinutesCandidate, recommendations: str, seats: dict[str, int], words: dict[str, str]
) -> dict[str, Any]:
    if candidate.result not in RESULTS:
        raise ValueError(f"unknown result {candidate.result!r} (known: {', '.join(RESULTS)})")
    result = words[f"result_{candidate.result}"]
    validated = [block.code for block in candidate.blocks if block.is_validated]
    return {
        **_named(candidate.name),
        "result": result,
        "result_class": candidate.result,
        "decision": words["decision"].format(result=result),
        "validated_blocks": ", ".join(validated) or words["no_block"],
        "blocks": [
            {
                "code": block.code,
                "is_validated": block.is_validated,
                "decision": words["validated" if block.is_validated else "not_validated"],
            }
            for block in candidate.blocks
        ],
        # One column per member, in the jury's order: their proposal, or that they were recused.
        "votes": sorted(
            [
                *({**_named(vote.member), "proposal": vote.proposal} for vote in candidate.votes),
                *({**_named(name), "proposal": words["recused"]} for name in candidate.recused),
            ],
            key=lambda vote: seats.get(vote["name"], len(seats)),
        ),
        "recommendations": _paragraphs(recommendations),
    }


def _quorum(document: MinutesDocument, words: dict[str, str]) -> str:
    external = sum(member.is_external for member in document.members)
    external_words = _counted(words, "external", external) if external else words["external_none"]
    presidents = [member.name for member in document.members if member.is_president]
    presidency = words["presidency"].format(president=", ".join(presidents)) if presidents else ""
    return _counted(
        words, "quorum", len(document.members), external=external_words, presidency=presidency
    )


def minutes_context(document: MinutesDocument) -> dict[str, Any]:
    """Return the plain values the minutes' template shows, with every sentence worded."""
    # Line ends are kept in the recommendations only, as paragraphs; every other text is one line.
    recommendations = [candidate.recommendations for candidate in document.candidates]
    document = printable_values(document)
    words = minutes_wording(document.language)
    language = document.language
    closed = closed_at_paris(document)
    closed_day = format_day(closed.date(), "long", language)
    if document.is_remote:
        where = words["remote_from"].format(place=document.place) if document.place else ""
        where = where or words["remote"]
    else:
        where = document.place
    counts = Counter(candidate.result for candidate in document.candidates)
    seats = {member.name: index for index, member in enumerate(document.members)}
    candidates = [
        _candidate(candidate, text, seats, words)
        for candidate, text in zip(document.candidates, recommendations, strict=True)
    ]
    legend: dict[str, str] = {}
    for candidate in document.candidates:
        for block in candidate.blocks:
            legend.setdefault(block.code, block.title)
    recusals = [
        words["recusal"].format(member=member, candidate=candidate.name)
        for candidate in document.candidates
        for member in candidate.recused
    ]
    return {
        "lang": language,
        "t": dict(words),
        "title": words["title"].format(reference=document.reference),
        "description": f"{document.path_title} · {document.cohort_name}",
        "created": closed.isoformat(timespec="seconds"),
        "certifier": document.certifier,
        "reference": words["reference"].format(reference=document.reference),
        "running": words["running"].format(
            certifier=document.certifier, reference=document.reference
        ),
        "facts": [
            {"label": label, "value": value}
            for label, value in (
                (
                    words["certification"],
                    words["certification_value"].format(
                        path=document.path_title, version=document.path_version
                    ),
                ),
                (words["rncp"], document.rncp_code),
                (words["cohort"], document.cohort_name),
                (words["held_on"], format_day(document.held_on, "full", language)),
                (words["place"], where),
            )
            if value
        ],
        "blocks": [{"code": code, "title": title} for code, title in legend.items()],
        "members": [_member(member, words) for member in document.members],
        "quorum": _quorum(document, words),
        "majority": words["majority"].format(rule=document.majority_rule.strip().rstrip(".")),
        "recusals": recusals,
        "candidates": candidates,
        "counts": [
            {"label": words["counts_candidates"], "count": len(document.candidates)},
            *({"label": words[f"counts_{result}"], "count": counts[result]} for result in RESULTS),
        ],
        "closed": words["closed"].format(
            date=closed_day,
            time=words["time"].format(hour=closed.hour, minute=f"{closed.minute:02d}"),
        ),
        "made_at": words["made_at"].format(place=document.signed_place, date=closed_day),
        "signatories": [_member(member, words) for member in document.members],
    }
