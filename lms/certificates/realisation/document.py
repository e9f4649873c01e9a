"""What a certificat de réalisation or an attestation de fin de formation says, as plain values.

Production (``lms.certificates.realisation.services``) reads the database once and freezes
everything the PDF shows into a ``RealisationDocument``; rendering
(``lms.certificates.realisation.rendering``) turns it into HTML and PDF/A without touching the
database or any ORM object (SECURITY.md G27). The same document always renders the same bytes,
so a PDF lost from storage can be rebuilt and still match its recorded SHA-256.

The certificat de réalisation follows the Ministry of Labour's model (2020): the training
organisation and its legal representative, the learner and their employer, the action's title
and nature, its dates, the hours realised with their remote share, the pledge to keep the
evidence, the place, date and signature (CERTIFICATION-FR.md §3). The attestation de fin de
formation, owed to every learner, states the objectives, nature, duration and dates of the
action and the results of the assessment of what was learned.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class DocumentKind(StrEnum):
    REALISATION = "realisation"  # certificat de réalisation (for the funder)
    COMPLETION = "completion"  # attestation de fin de formation (for the learner)


@dataclass(frozen=True)
class CompetencyResult:
    """A competency and the level the learner reached, in words of the path's scale."""

    code: str
    title: str
    level_label: str  # "" when not assessed
    required_label: str
    attained: bool


@dataclass(frozen=True)
class BlockResult:
    """A block of competencies, its competencies' results, and whether it was validated."""

    code: str
    title: str
    competencies: tuple[CompetencyResult, ...]


@dataclass(frozen=True)
class RealisationDocument:
    """Everything one document states, frozen when it is produced."""

    kind: DocumentKind
    reference: str
    # The training organisation (« dispensateur ») and its legal representative.
    organisation: str
    nda: str
    siret: str
    address: str
    representative_name: str
    representative_title: str
    # The learner and the action.
    learner_name: str
    employer: str  # "" when not recorded
    path_title: str
    path_version: int
    cohort_name: str
    starts_on: date
    ends_on: date
    realised_minutes: int
    remote_minutes: int  # of the realised minutes, those at a distance (remote work, remote live)
    place: str
    made_on: date
    # The attestation de fin de formation only: objectives, blocks and their results, the
    # certification decision in words ("" when none was taken).
    objectives: str = ""
    blocks: tuple[BlockResult, ...] = ()
    decision: str = ""
    language: str = "fr"

    @property
    def is_completion(self) -> bool:
        return self.kind == DocumentKind.COMPLETION


def document_to_json(document: RealisationDocument) -> dict[str, Any]:
    """Return the document as JSON values (dates as ISO strings), to store with its row."""
    values = asdict(document)
    values["kind"] = document.kind.value
    for key in ("starts_on", "ends_on", "made_on"):
        values[key] = getattr(document, key).isoformat()
    return values


def document_from_json(values: dict[str, Any]) -> RealisationDocument:
    """Rebuild a stored document (inverse of ``document_to_json``)."""
    return RealisationDocument(
        **{
            **values,
            "kind": DocumentKind(values["kind"]),
            "starts_on": date.fromisoformat(values["starts_on"]),
            "ends_on": date.fromisoformat(values["ends_on"]),
            "made_on": date.fromisoformat(values["made_on"]),
            "blocks": tuple(
                BlockResult(
                    code=block["code"],
                    title=block["title"],
                    competencies=tuple(CompetencyResult(**c) for c in block["competencies"]),
                )
                for block in values.get("blocks", ())
            ),
        }
    )
