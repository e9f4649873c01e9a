"""What a certificate PDF says, as plain values: the contract between issuance and rendering.

Issuance (``lms.certificates.issuance``) reads the database once and freezes everything the
PDF shows into a ``CertificateDocument``; rendering (``lms.certificates.rendering``) turns it
into HTML and PDF without touching the database or any ORM object (SECURITY.md G27: templates
receive plain values only). The same document always renders the same bytes, so that a PDF
lost from storage can be rebuilt and still match its recorded SHA-256.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class CertificateKind(StrEnum):
    """A path certificate certifies the whole path; a block attestation one block of it."""

    PATH = "path"
    BLOCK = "block"


@dataclass(frozen=True)
class BlockLine:
    """A block of competencies the certificate validates."""

    code: str
    title: str


@dataclass(frozen=True)
class ModuleLine:
    """A module of the transcript: hours and the dates the cohort's calendar gave it."""

    code: str
    title: str
    hours: int
    opens_on: date | None
    closes_on: date | None


@dataclass(frozen=True)
class CompetencyLine:
    """A competency of the transcript with the level reached, on the path's scale."""

    block_code: str
    code: str
    title: str
    level: int
    level_label: str
    required_level: int


@dataclass(frozen=True)
class CertificateDocument:
    """Everything one certificate PDF states, frozen at issuance."""

    kind: CertificateKind
    number: str
    learner_name: str
    path_title: str
    path_version: int
    organisation: str
    signatory_name: str
    signatory_title: str
    place: str
    issued_on: date
    cohort_name: str
    verification_url: str
    blocks: tuple[BlockLine, ...]
    modules: tuple[ModuleLine, ...]
    competencies: tuple[CompetencyLine, ...]
    language: str = "fr"
    # The day of the certification jury whose decision the certificate follows, when one did.
    jury_on: date | None = None

    @property
    def is_partial(self) -> bool:
        """A block attestation is a partial validation of the path (« validation partielle »)."""
        return self.kind == CertificateKind.BLOCK

    @property
    def total_hours(self) -> int:
        return sum(module.hours for module in self.modules)


def document_to_json(document: CertificateDocument) -> dict[str, Any]:
    """Return the document as JSON values (dates as ISO strings), to store with the certificate."""
    values = asdict(document)
    values["kind"] = document.kind.value
    values["issued_on"] = document.issued_on.isoformat()
    values["jury_on"] = document.jury_on.isoformat() if document.jury_on else None
    for module in values["modules"]:
        for key in ("opens_on", "closes_on"):
            module[key] = module[key].isoformat() if module[key] else None
    return values


def document_from_json(values: dict[str, Any]) -> CertificateDocument:
    """Rebuild the document stored with a certificate (inverse of ``document_to_json``)."""

    def day(text: str | None) -> date | None:
        return date.fromisoformat(text) if text else None

    return CertificateDocument(
        **{
            **values,
            "kind": CertificateKind(values["kind"]),
            "issued_on": date.fromisoformat(values["issued_on"]),
            # Documents stored before juries existed have no ``jury_on``.
            "jury_on": day(values.get("jury_on")),
            "blocks": tuple(BlockLine(**block) for block in values["blocks"]),
            "modules": tuple(
                ModuleLine(
                    **{**m, "opens_on": day(m["opens_on"]), "closes_on": day(m["closes_on"])}
                )
                for m in values["modules"]
            ),
            "competencies": tuple(CompetencyLine(**line) for line in values["competencies"]),
        }
    )
