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

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.assessments.assignments.uploads import upload_folder
from lms.assessments.models import (
    Assessment,
    Grade,
    GradeChoice,
    QuizAttempt,
    Submission,
    SubmissionFile,
)
from lms.assessments.results.released import is_released, released_at
from lms.attendance.models import AttendanceRecord, AttendanceSheet, TrainingSession
from lms.attendance.sheets.document import sheets_folder
from lms.attendance.sheets.supporting import supporting_folder
from lms.certificates.issuing import certificate_folder
from lms.certificates.jury.models import Jury
from lms.certificates.models import Certificate, CertificationDecision
from lms.certificates.realisation.models import RealisationRecord
from lms.certificates.realisation.services import realisation_folder
from lms.cohorts.models import Cohort, Membership
from lms.core import storage
from lms.curriculum.models import Module
from lms.extensions import db
from lms.learning.competencies import competency_profile
from lms.quality.positioning.models import Positioning, PositioningLevel

# The sections of data, in the order the index lists them.
SECTIONS = (
    "identity",
    "membership",
    "positioning",
    "submissions",
    "grades",
    "quiz_attempts",
    "competencies",
    "attendance",
    "realisation",
    "decisions",
    "jury",
    "certificates",
)
# The kinds of documents, in the order the index lists them (folder under documents/).
DOCUMENT_KINDS = (
    "submissions",
    "attendance-supporting",
    "attendance-sheets",
    "realisation",
    "certificates",
)
SAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 80


@dataclass(frozen=True)
class Document:
    """A stored file to copy into the archive, under ``path``, as it was stored."""

    kind: str
    path: str
    label: str
    folder: str
    key: str | None
    recorded_sha256: str | None = None

    def open(self) -> BinaryIO:
        """Open the stored bytes (``storage.StorageError`` when they are lost)."""
        if not self.key:
            raise storage.StoredFileMissing("no stored file")
        return storage.open_stored(self.folder, self.key)


@dataclass
class Evidence:
    """Everything the dossier of one learner in one cohort says."""

    learner: dict[str, Any]
    cohort: dict[str, Any]
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)


def safe_name(name: str, fallback: str = "fichier") -> str:
    """Return a file name safe in an archive: no folder, no traversal, ASCII letters and digits.

    A name someone gave (``../../etc/passwd``, ``C:\\x\\y.pdf``) keeps only its last part,
    transliterated; nothing that starts with a dot survives.
    """
    base = re.split(r"[\\/]", name or "")[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    cleaned = SAFE.sub("-", ascii_name).strip("-.")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    if len(cleaned) > MAX_NAME:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (stem[: MAX_NAME - len(suffix) - 1] + dot + suffix) if dot else cleaned[:MAX_NAME]
    return cleaned or fallback


def archive_path(*parts: str) -> str:
    """Join safe parts into a relative archive path; refuse anything that could escape."""
    path = PurePosixPath(*parts)
    if path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        raise ValueError(f"unsafe archive path {path}")
    return str(path)


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def collect_evidence(learner: User, cohort: Cohort) -> Evidence:
    """Read every piece of evidence of the learner's path in the cohort (plain values)."""
    evidence = Evidence(learner=_identity(learner), cohort=_cohort(cohort))
    evidence.sections["identity"] = [evidence.learner]
    evidence.sections["membership"] = _memberships(learner, cohort)
    evidence.sections["positioning"] = _positioning(learner, cohort)
    for collect in (
        _submissions,
        _grades,
        _quiz_attempts,
        _competencies,
        _attendance,
        _realisation,
        _decisions,
        _certificates,
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


def _path_assessments(cohort: Cohort):
    return db.select(Assessment.id).where(Assessment.path_id == cohort.path_id)


def _modules(cohort: Cohort) -> dict[int, str]:
    rows = db.session.execute(
        db.select(Module.id, Module.code).where(Module.path_id == cohort.path_id)
    )
    return dict(rows.tuples().all())


def _submissions(learner: User, cohort: Cohort, evidence: Evidence) -> None:
    """List every version of the learner's work with its files, and copy the files."""
    submissions = db.session.scalars(
        db.select(Submission)
        .options(joinedload(Submission.assessment), selectinload(Submission.files))
        .where(
            Submission.user_id == learner.id,
            Submission.assessment_id.in_(_path_assessments(cohort)),
        )
        .order_by(Submission.assessment_id, Submission.attempt, Submission.version)
    ).all()
    rows = []
    for submission in submissions:
        folder = safe_name(
            f"{submission.assessment.code}-a{submission.attempt}-v{submission.version}"
        )
        files = sorted(submission.files, key=lambda item: item.id)
        names = [
            _submission_document(evidence, folder, number, item)
            for number, item in enumerate(files, 1)
        ]
        rows.append(
            {
                "assessment": submission.assessment.code,
                "assessment_title": submission.assessment.title,
                "attempt": submission.attempt,
                "version": submission.version,
                "submitted_at": _when(submission.submitted_at),
                "is_late": submission.is_late,
                "state": str(submission.state),
                "text": submission.text,
                "text_sha256": submission.content_sha256,
                "files": " ".join(names),
            }
        )
    evidence.sections["submissions"] = rows


def _submission_document(evidence: Evidence, folder: str, number: int, item: SubmissionFile) -> str:
    path = archive_path(
        "documents", "submissions", folder, f"{number:02d}-{safe_name(item.original_name)}"
    )
    evidence.documents.append(
        Document(
            "submissions",
            path,
            item.original_name,
            str(upload_folder()),
            item.storage_key,
            item.sha256,
        )
    )
    return path


def _grades(learner: User, cohort: Cohort, evidence: Evidence) -> None:
    """List the learner's released grades with their feedback and the rubric levels chosen."""
    query = (
        db.select(Grade, released_at().label("released"))
        .options(
            joinedload(Grade.assessment),
            selectinload(Grade.choices).joinedload(GradeChoice.criterion),
            selectinload(Grade.choices).joinedload(GradeChoice.level),
        )
        .where(
            Grade.learner_id == learner.id,
            Grade.assessment_id.in_(_path_assessments(cohort)),
            is_released(),
        )
        .order_by(Grade.assessment_id, Grade.id)
    )
    modules = _modules(cohort)
    rows = []
    for grade, when in db.session.execute(query).tuples():
        choices = sorted(grade.choices, key=lambda choice: choice.criterion.position)
        rows.append(
            {
                "module": modules.get(grade.assessment.module_id),
                "assessment": grade.assessment.code,
                "assessment_title": grade.assessment.title,
                "kind": str(grade.assessment.kind),
                "score": grade.score,
                "max_score": grade.max_score,
                "passed": grade.passed,
                "released_at": _when(when),
                "feedback": grade.feedback,
                "criteria": "; ".join(
                    f"{choice.criterion.title}: {choice.level.title} ({choice.level.points})"
                    for choice in choices
                ),
            }
        )
    evidence.sections["grades"] = rows


def _quiz_attempts(learner: User, cohort: Cohort, evidence: Evidence) -> None:
    """List the learner's submitted quiz attempts (auto-graded: their score is theirs to see)."""
    attempts = db.session.scalars(
        db.select(QuizAttempt)
        .options(joinedload(QuizAttempt.assessment))
        .where(
            QuizAttempt.user_id == learner.id,
            QuizAttempt.assessment_id.in_(_path_assessments(cohort)),
            QuizAttempt.submitted_at.is_not(None),
        )
        .order_by(QuizAttempt.assessment_id, QuizAttempt.number)
    )
    evidence.sections["quiz_attempts"] = [
        {
            "assessment": attempt.assessment.code,
            "assessment_title": attempt.assessment.title,
            "attempt": attempt.number,
            "submitted_at": _when(attempt.submitted_at),
            "score": attempt.score,
            "max_score": attempt.max_score,
            "passed": attempt.passed,
        }
        for attempt in attempts
    ]


def _competencies(learner: User, cohort: Cohort, evidence: Evidence) -> None:
    """Write the learner's competency profile: per competency, the level against the required."""
    profile = competency_profile(learner, cohort, audience=None)
    evidence.sections["competencies"] = [
        {
            "block": block.code,
            "block_title": block.title,
            "competency": line.code,
            "competency_title": line.title,
            "required_level": line.required_level,
            "level": line.level,
            "level_label": profile.label(line.level) if line.level is not None else None,
            "status": str(line.status),
            "rated_at": _when(line.rated_at),
        }
        for block in profile.blocks
        for line in block.competencies
    ]


def _attendance(learner: User, cohort: Cohort, evidence: Evidence) -> None:
    """List the learner's lines of the cohort's sheets; copy their supporting files and the
    sheets' PDFs (every version)."""
    records = db.session.scalars(
        db.select(AttendanceRecord)
        .join(AttendanceSheet, AttendanceSheet.id == AttendanceRecord.sheet_id)
        .join(TrainingSession, TrainingSession.id == AttendanceSheet.session_id)
        .options(
            joinedload(AttendanceRecord.sheet)
            .joinedload(AttendanceSheet.session)
            .joinedload(TrainingSession.module),
            joinedload(AttendanceRecord.sheet).selectinload(AttendanceSheet.documents),
        )
        .where(AttendanceRecord.learner_id == learner.id, TrainingSession.cohort_id == cohort.id)
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    ).unique()
    rows = []
    for record in records:
        session = record.sheet.session
        stem = f"{session.starts_at:%Y-%m-%d-%H%M}-{safe_name(session.module.code)}"
        supporting = None
        if record.file_key:
            supporting = archive_path(
                "documents", "attendance-supporting", f"{stem}-{safe_name(record.file_name or '')}"
            )
            evidence.documents.append(
                Document(
                    "attendance-supporting",
                    supporting,
                    record.file_name or "",
                    str(supporting_folder()),
                    record.file_key,
                    record.file_sha256,
                )
            )
        sheets = []
        for document in sorted(record.sheet.documents, key=lambda item: item.version):
            path = archive_path("documents", "attendance-sheets", f"{stem}-v{document.version}.pdf")
            sheets.append(path)
            evidence.documents.append(
                Document(
                    "attendance-sheets",
                    path,
                    f"{session.module.code} {session.starts_at:%Y-%m-%d %H:%M} v{document.version}",
                    str(sheets_folder()),
                    document.storage_key,
                    document.sha256,
                )
            )
        rows.append(
            {
                "module": session.module.code,
                "starts_at": _when(session.starts_at),
                "ends_at": _when(session.ends_at),
                "modality": str(session.modality),
                "place": session.place or session.link or "",
                "sheet_state": str(record.sheet.state),
                "status": str(record.status),
                "recorded_by": str(record.recorded_by),
                "recorded_at": _when(record.recorded_at),
                "arrived_at": _when(record.arrived_at),
                "reason": record.reason or "",
                "supporting_file": supporting or "",
                "sheet_documents": " ".join(sheets),
            }
        )
    evidence.sections["attendance"] = rows


def _realisation(learner: User, cohort: Cohort, evidence: Evidence) -> None:
    """List the learner's certificats de réalisation and attestations; copy their PDFs."""
    records = db.session.scalars(
        db.select(RealisationRecord)
        .filter_by(learner_id=learner.id, cohort_id=cohort.id)
        .order_by(RealisationRecord.kind, RealisationRecord.version)
    )
    rows = []
    for record in records:
        path = archive_path(
            "documents", "realisation", f"{record.kind}-{safe_name(record.reference)}.pdf"
        )
        evidence.documents.append(
            Document(
                "realisation",
                path,
                record.reference,
                str(realisation_folder()),
                record.storage_key,
                record.sha256,
            )
        )
        rows.append(
            {
                "kind": str(record.kind),
                "reference": record.reference,
                "version": record.version,
                "as_of": _when(record.as_of),
                "starts_on": _when(record.starts_on),
                "ends_on": _when(record.ends_on),
                "realised_hours": round(record.realised_minutes / 60, 2),
                "remote_hours": round(record.remote_minutes / 60, 2),
                "funder": str(record.funder) if record.funder else None,
                "produced_at": _when(record.created_at),
                "sha256": record.sha256,
                "document": path,
            }
        )
    evidence.sections["realisation"] = rows


def _decisions(learner: User, cohort: Cohort, evidence: Evidence) -> None:
    """List the certification decisions about the learner, and the juries that took them."""
    decisions = db.session.scalars(
        db.select(CertificationDecision)
        .options(
            joinedload(CertificationDecision.decided_by),
            joinedload(CertificationDecision.jury).selectinload(Jury.members),
        )
        .filter_by(learner_id=learner.id, cohort_id=cohort.id)
        .order_by(CertificationDecision.decided_at, CertificationDecision.id)
    ).unique()
    rows, juries = [], {}
    for decision in decisions:
        rows.append(
            {
                "decided_at": _when(decision.decided_at),
                "outcome": str(decision.outcome),
                "validated_blocks": decision.validated_blocks,
                "reason": decision.reason,
                "is_override": decision.is_override,
                "decided_by": decision.decided_by.display_name if decision.decided_by else None,
                "jury_held_on": _when(decision.jury.held_on) if decision.jury else None,
            }
        )
        if decision.jury is not None:
            juries[decision.jury.id] = decision.jury
    evidence.sections["decisions"] = rows
    evidence.sections["jury"] = [
        {
            "held_on": _when(jury.held_on),
            "place": jury.place,
            "is_remote": jury.is_remote,
            "state": str(jury.state),
            "member": member.user.display_name,
            "seat": member.seat,
            "is_president": member.is_president,
            "is_external": member.is_external,
            "organisation": member.organisation,
        }
        for jury in juries.values()
        for member in sorted(jury.members, key=lambda item: (not item.is_president, item.id))
    ]


def _certificates(learner: User, cohort: Cohort, evidence: Evidence) -> None:
    """List the learner's certificates of the cohort (whatever their state); copy their PDFs."""
    certificates = db.session.scalars(
        db.select(Certificate)
        .filter_by(learner_id=learner.id, cohort_id=cohort.id)
        .order_by(Certificate.issued_at, Certificate.id)
    )
    rows = []
    for certificate in certificates:
        path = None
        if certificate.storage_key:
            name = safe_name(certificate.number or f"certificat-{certificate.id}")
            path = archive_path("documents", "certificates", f"{name}.pdf")
            evidence.documents.append(
                Document(
                    "certificates",
                    path,
                    certificate.number or "",
                    str(certificate_folder()),
                    certificate.storage_key,
                    certificate.pdf_sha256,
                )
            )
        rows.append(
            {
                "number": certificate.number,
                "kind": str(certificate.kind),
                "scope": certificate.scope,
                "state": str(certificate.state),
                "learner_name": certificate.learner_name,
                "issued_at": _when(certificate.issued_at),
                "revoked_at": _when(certificate.revoked_at),
                "revocation_reason": certificate.revocation_reason,
                "superseded_at": _when(certificate.superseded_at),
                "pdf_sha256": certificate.pdf_sha256,
                "document": path or "",
            }
        )
    evidence.sections["certificates"] = rows
