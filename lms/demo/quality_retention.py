"""Demo retention: the finished Grenoble cohort was co-financed by the European Social Fund
(FSE+), so its evidence is kept ten years after its end instead of six (CERTIFICATION-FR §5).
The administrators' retention page shows it beside the other cohorts."""

from __future__ import annotations

from lms.cohorts.services import find_cohort

# Evidence of EU-funded trainings is kept until 31 December of N + 10.
EU_FUNDED_YEARS = 10


def ensure_retention(cohort_name: str) -> None:
    """Give the EU-funded demo cohort its own evidence period (idempotent; the caller commits)."""
    cohort = find_cohort(cohort_name)
    if cohort is not None and cohort.evidence_retention_years is None:
        cohort.evidence_retention_years = EU_FUNDED_YEARS
