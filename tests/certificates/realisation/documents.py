"""Fixed realisation documents for the rendering tests: no database, every field known."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from lms.certificates.realisation.document import (
    BlockResult,
    CompetencyResult,
    DocumentKind,
    RealisationDocument,
)

BLOCKS = (
    BlockResult(
        code="BC1",
        title="Diagnostiquer un territoire et ses acteurs",
        competencies=(
            CompetencyResult("C1.1", "Conduire un diagnostic partagé", "acquis", "acquis", True),
            CompetencyResult("C1.2", "Cartographier les acteurs", "insuffisant", "acquis", False),
        ),
    ),
    BlockResult(
        code="BC2",
        title="Mobiliser et fédérer les acteurs",
        competencies=(CompetencyResult("C2.1", "Animer un collectif", "", "acquis", False),),
    ),
)


def realisation_document(**changes: Any) -> RealisationDocument:
    """Return a certificat de réalisation of 45 h 30, 10 h of them remote (or with ``changes``)."""
    document = RealisationDocument(
        kind=DocumentKind.REALISATION,
        reference="CR-7-42-1",
        organisation="Institut des Territoires du Bien-Vivre",
        nda="84691234569",
        siret="98765432100015",
        address="12 rue des Canuts, 69004 Lyon",
        representative_name="Claire Martin",
        representative_title="Directrice générale",
        learner_name="Élise Fontaine",
        employer="",
        path_title="Entrepreneur·e du bien-vivre",
        path_version=4,
        cohort_name="Promotion Lyon 2026",
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 6, 30),
        realised_minutes=45 * 60 + 30,
        remote_minutes=10 * 60,
        place="Lyon",
        made_on=date(2026, 7, 1),
    )
    return replace(document, **changes)


def completion_document(**changes: Any) -> RealisationDocument:
    """Return an attestation de fin de formation with results and a decision."""
    values: dict[str, Any] = {
        "kind": DocumentKind.COMPLETION,
        "reference": "AFF-7-42-1",
        "objectives": (
            "Concevoir un projet d'entreprise\ndu bien-vivre.\n\nLe conduire sur son territoire."
        ),
        "blocks": BLOCKS,
        "decision": "Certification obtenue (validation totale), décidée le 2026-06-30.",
    }
    return realisation_document(**{**values, **changes})
