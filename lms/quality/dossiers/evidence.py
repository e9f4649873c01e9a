"""What a learner's dossier holds: the evidence of their path in a cohort, read from each domain.

``collect_evidence(learner, cohort)`` returns plain values (no ORM object leaves this module):
the **sections** of data (identity, membership, positioning, submissions, grades, quiz attempts,
competency profile, attendance lines, decisions with their jury, certificates, certificats de
réalisation), each a list of flat rows written as JSON and CSV, and the **documents** to copy
byte for byte (submission files, supporting files of attendance, sheet PDFs, certificats de
réalisation, certificate PDFs), each with the archive path it takes and a way to open it.

What the learner may not know stays out, whoever asks for the dossier (one dossier, the same
for the learner and for an auditor): grades are those released to the learner
(``lms.assessments.results.released``), with their final score, feedback and rubric levels;
markings (a second marker's blind mark) and grades in progress are left out. Jury votes are the
deliberation's, not the learner's: the decision, its validated blocks and reason, and the jury's
composition are listed; the minutes (which name every candidate) are not copied.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.cohorts.models import Cohort, Membership
from lms.extensions import db
from lms.quality.dossiers import records, work
from lms.quality.dossiers.contents import (
    DOCUMENT_KINDS,
    SECTIONS,
    Document,
    Evidence,
    archive_path,
    safe_name,
)
from lms.quality.dossiers.contents import when as _when
from lms.quality.positioning.models import Positioning, PositioningLevel

__all__ = [
    "DOCUMENT_KINDS",
    "SECTIONS",
    "Document",
    "Evidence",
    "archive_path",
    "collect_evidence",
    "safe_name",
]


def collect_evidence(learner: User, cohort: Cohort) -> Evidence:
    """Read every piece of evidence of the learner's path in the cohort (plain values)."""
    evidence = Evidence(learner=_identity(learner), cohort=_cohort(cohort))
    evidence.sections["identity"] = [evidence.learner]
    evidence.sections["membership"] = _memberships(learner, cohort)
    evidence.sections["positioning"] = _positioning(learner, cohort)
    for collect in (
        work.submissions,
        work.grades,
        work.quiz_attempts,
        work.competencies,
        records.attendance,
        records.realisation,
        records.decisions,
        records.certificates,
    ):
        collect(learner, cohort, evidence)
    return evidence


def _identity(learner: User) -> dict[str, Any]:
    return {
        "id": learner.id,
        "display_name": learner.display_name,
        "email": learner.email,
        "locale": learner.locale,
        "account_created_at": _when(learner.created_at),
    }


def _cohort(cohort: Cohort) -> dict[str, Any]:
    return {
        "id": cohort.id,
        "name": cohort.name,
        "path_code": cohort.path.code,
        "path_title": cohort.path.title,
        "path_version": cohort.path.version,
        "certifier": cohort.path.certifier,
        "territory": cohort.territory.name,
        "starts_on": _when(cohort.starts_on),
        "ends_on": _when(cohort.ends_on),
        "state": str(cohort.state),
    }


def _memberships(learner: User, cohort: Cohort) -> list[dict[str, Any]]:
    """Return the learner's memberships of the cohort (their role, funder, enrolment date)."""
    rows = db.session.scalars(
        db.select(Membership).filter_by(user_id=learner.id, cohort_id=cohort.id)
    )
    return [
        {
            "cohort": cohort.name,
            "role": str(row.role),
            "funder": str(row.funder) if row.funder else None,
            "enrolled_at": _when(row.created_at),
        }
        for row in rows
    ]


def _positioning(learner: User, cohort: Cohort) -> list[dict[str, Any]]:
    """Return one row per competency of the learner's entry positioning in the cohort."""
    positioning = db.session.scalar(
        db.select(Positioning)
        .options(
            selectinload(Positioning.levels).joinedload(PositioningLevel.competency),
            joinedload(Positioning.reviewed_by),
        )
        .filter_by(learner_id=learner.id, cohort_id=cohort.id)
    )
    if positioning is None:
        return []
    common = {
        "self_assessed_at": _when(positioning.self_assessed_at),
        "reviewed_by": positioning.reviewed_by.display_name if positioning.reviewed_by else None,
        "reviewed_at": _when(positioning.reviewed_at),
        "adjustments": positioning.adjustments,
    }
    levels = sorted(positioning.levels, key=lambda level: level.competency.code)
    if not levels:
        return [{"competency": None, **common}]
    return [
        {
            "competency": level.competency.code,
            "competency_title": level.competency.title,
            "self_level": level.self_level,
            "self_comment": level.self_comment,
            "entry_level": level.entry_level,
            **common,
        }
        for level in levels
    ]
