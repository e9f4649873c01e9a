"""Certificate documents for the shipped path, built from its definition file, for any test.

Typical use::

    document = path_certificate_document()                  # 8 modules, 4 blocks, 12 competencies
    attestation = block_attestation_document("BC2")         # a partial validation of BC2
    renamed = path_certificate_document(learner_name="…")   # any field overridden
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date, timedelta
from functools import cache
from typing import Any

from lms.certificates.document import (
    BlockLine,
    CertificateDocument,
    CertificateKind,
    CompetencyLine,
    ModuleLine,
)
from lms.curriculum.services import shipped_path_file

COHORT_STARTS_ON = date(2025, 1, 6)
ISSUED_ON = date(2025, 10, 1)
VERIFICATION_URL = "https://formation.bien-vivre.example/verify/q7Xk2mP9vR4tW8yZ3bN6cF5hJ1"
# Learner names that try to reach the file system or the template engine (SECURITY.md G27).
HOSTILE_NAMES = (
    '<link rel="attachment" href="file:///etc/passwd">',
    "{{7*7}}",
    '<img src="file:///etc/passwd">',
    "<script>alert(1)</script>",
)


@cache
def _shipped_definition() -> dict[str, Any]:
    with shipped_path_file().open("rb") as file:
        return tomllib.load(file)


def _modules(definition: dict[str, Any]) -> tuple[ModuleLine, ...]:
    """Give each module five weeks of the cohort's calendar, one after the other."""
    lines = []
    for index, module in enumerate(definition["modules"]):
        opens_on = COHORT_STARTS_ON + timedelta(weeks=5 * index)
        closes_on = opens_on + timedelta(weeks=5, days=-3)
        lines.append(
            ModuleLine(module["code"], module["title"], module["hours"], opens_on, closes_on)
        )
    return tuple(lines)


def _competencies(definition: dict[str, Any]) -> tuple[CompetencyLine, ...]:
    """Rate every competency at its required level, one in three a level above."""
    labels = {level["value"]: level["label"] for level in definition["scale"]}
    top = max(labels)
    lines = []
    for index, competency in enumerate(definition["competencies"]):
        required = competency["required_level"]
        level = min(top, required + (index % 3 == 0))
        lines.append(
            CompetencyLine(
                competency["block"],
                competency["code"],
                competency["title"],
                level,
                labels[level],
                required,
            )
        )
    return tuple(lines)


def path_certificate_document(**changes: Any) -> CertificateDocument:
    """Return the path certificate of a learner who completed the shipped path."""
    definition = _shipped_definition()
    document = CertificateDocument(
        kind=CertificateKind.PATH,
        number="EBV-2025-000042",
        learner_name="Camille Lefèvre-Nguyễn",
        path_title=definition["path"]["title"],
        path_version=definition["path"]["version"],
        organisation=definition["path"]["certifier"],
        signatory_name="Hélène Marchand",
        signatory_title="Directrice pédagogique",
        place="Lyon",
        issued_on=ISSUED_ON,
        cohort_name="Promotion Lyon 2025",
        verification_url=VERIFICATION_URL,
        blocks=tuple(BlockLine(block["code"], block["title"]) for block in definition["blocks"]),
        modules=_modules(definition),
        competencies=_competencies(definition),
    )
    return replace(document, **changes)


def block_attestation_document(block_code: str = "BC2", **changes: Any) -> CertificateDocument:
    """Return the attestation of one block: its block, its modules and its competencies only."""
    definition = _shipped_definition()
    full = path_certificate_document()
    block = next(line for line in full.blocks if line.code == block_code)
    block_competencies = {line.code for line in full.competencies if line.block_code == block_code}
    module_codes = {
        module["code"]
        for module in definition["modules"]
        if block_competencies & set(module["competencies"])
    }
    document = replace(
        full,
        kind=CertificateKind.BLOCK,
        number="EBV-2025-B-000017",
        blocks=(block,),
        modules=tuple(line for line in full.modules if line.code in module_codes),
        competencies=tuple(line for line in full.competencies if line.block_code == block_code),
    )
    return replace(document, **changes)
