"""Jury minutes for the shipped path, as plain dataclasses, for any test (no database).

Typical use::

    document = minutes_document()             # 3 members; 3 candidates: total, partial, deferred
    long = minutes_document(candidates=30)    # 30 candidates, every result, some recusals
    named = minutes_document(candidate_names=("Zoé",))   # the first candidates named so
    english = minutes_document(language="en")  # any field of the document overridden
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from lms.certificates.minutes import (
    MinutesBlock,
    MinutesCandidate,
    MinutesDocument,
    MinutesMember,
    MinutesVote,
)
from tests.certificates.documents import path_certificate_document

HELD_ON = date(2026, 6, 12)
CLOSED_AT = datetime(2026, 6, 12, 15, 45, tzinfo=UTC)  # 17 h 45 in Paris (summer time)
MEMBERS = (
    MinutesMember("Claire Dubois-Martin", "Formatrice", False, False, ""),
    MinutesMember(
        "Yannick Le Goff", "Professionnel extérieur", True, True, "Scop Les Jardins d'Armor"
    ),
    MinutesMember(
        "Fatou Diallo", "Représentante d'une collectivité", True, False, "Métropole de Lyon"
    ),
)
FIRST_NAMES = ("Camille", "Inès", "Louis", "Mathilde", "Noah", "Sofia", "Hugo", "Léa", "Amir")
LAST_NAMES = ("Lefèvre-Nguyễn", "Benali", "Moreau", "Ferreira", "Petit", "Kowalczyk", "Garnier")
RESULT_CYCLE = ("total", "partial", "deferred", "total", "partial", "refused")
RECOMMENDATION = (
    "Consolider la conduite de projet avant une nouvelle présentation du bloc BC3.\n"
    "S'appuyer sur le réseau des tiers-lieux pour l'immersion de six semaines."
)


def _blocks(result: str, index: int) -> tuple[MinutesBlock, ...]:
    lines = path_certificate_document().blocks
    validated = {
        "total": len(lines),
        "partial": 1 + index % (len(lines) - 1),
        "deferred": 0,
        "refused": 0,
    }[result]
    return tuple(
        MinutesBlock(line.code, line.title, position < validated)
        for position, line in enumerate(lines)
    )


def _proposal(result: str, blocks: tuple[MinutesBlock, ...]) -> str:
    if result == "partial":
        return "Validation partielle : " + ", ".join(b.code for b in blocks if b.is_validated)
    return {
        "total": "Validation totale",
        "deferred": "Ajournement",
        "refused": "Refus",
    }[result]


def minutes_candidate(index: int, name: str | None = None) -> MinutesCandidate:
    """Return the candidate number ``index``: results cycle, the first member recused every 4th."""
    result = RESULT_CYCLE[index % len(RESULT_CYCLE)]
    blocks = _blocks(result, index)
    recused = (MEMBERS[0].name,) if index % 4 == 3 else ()
    votes = tuple(
        MinutesVote(member.name, _proposal(result, blocks))
        for member in MEMBERS
        if member.name not in recused
    )
    default_name = f"{FIRST_NAMES[index % 9]} {LAST_NAMES[index % 7]}"
    if index >= 9:
        default_name += f" {index}"
    return MinutesCandidate(
        name=name or default_name,
        result=result,
        blocks=blocks,
        votes=votes,
        recused=recused,
        recommendations="" if result == "total" else RECOMMENDATION,
    )


def minutes_document(
    candidates: int = 3, candidate_names: tuple[str, ...] = (), **changes: Any
) -> MinutesDocument:
    """Return the minutes of a closed jury of three for the shipped path."""
    certificate = path_certificate_document()
    count = max(candidates, len(candidate_names))
    names = list(candidate_names) + [None] * (count - len(candidate_names))
    document = MinutesDocument(
        reference="PV-2026-0007",
        certifier=certificate.organisation,
        path_title=certificate.path_title,
        path_version=certificate.path_version,
        rncp_code="RNCP38123",
        cohort_name="Promotion Lyon 2025",
        held_on=HELD_ON,
        place="Lyon, Institut des Territoires du Bien-Vivre, salle des Canuts",
        is_remote=False,
        majority_rule=(
            "majorité simple des voix des membres non récusés, la voix de la présidence "
            "étant prépondérante en cas de partage"
        ),
        members=MEMBERS,
        candidates=tuple(minutes_candidate(index, name) for index, name in enumerate(names)),
        closed_at=CLOSED_AT,
        signed_place="Lyon",
    )
    return replace(document, **changes)
