"""The learner's records in a dossier: attendance lines and sheets, certificats de réalisation,
decisions with their jury, certificates (see ``lms.quality.dossiers.evidence``)."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.attendance.models import AttendanceRecord, AttendanceSheet, TrainingSession
from lms.attendance.sheets.document import sheets_folder
from lms.attendance.sheets.supporting import supporting_folder
from lms.certificates.issuing import certificate_folder
from lms.certificates.jury.models import Jury
from lms.certificates.models import Certificate, CertificationDecision
from lms.certificates.realisation.models import RealisationRecord
from lms.certificates.realisation.services import realisation_folder
from lms.cohorts.models import Cohort
from lms.core.time import organisation_timezone
from lms.extensions import db
from lms.quality.dossiers.contents import Document, Evidence, archive_path, safe_name
from lms.quality.dossiers.contents import when as _when


def attendance(learner: User, cohort: Cohort, evidence: Evidence) -> None:
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
        starts = session.starts_at.astimezone(organisation_timezone())  # names in local time
        stem = f"{starts:%Y-%m-%d-%H%M}-{safe_name(session.module.code)}"
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
                    f"{session.module.code} {starts:%Y-%m-%d %H:%M} v{document.version}",
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


def realisation(learner: User, cohort: Cohort, evidence: Evidence) -> None:
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


def decisions(learner: User, cohort: Cohort, evidence: Evidence) -> None:
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


def certificates(learner: User, cohort: Cohort, evidence: Evidence) -> None:
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
