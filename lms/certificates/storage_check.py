"""Compare stored files with their rows, and repair what can be repaired (SECURITY.md F26, H33).

Six stores are checked here: the learners' uploads (``<instance>/uploads``, rows
``SubmissionFile``), the supporting files of excused absences (``<instance>/attendance``, rows
``AttendanceRecord`` with a file), the closed attendance sheets' PDFs
(``<instance>/attendance-sheets``, rows ``AttendanceSheetDocument``), the certificate PDFs
(``<instance>/certificates``, rows ``Certificate``), the juries' minutes (``<instance>/minutes``,
rows ``JuryMinutes``) and the certificats de réalisation and attestations de fin de formation
(``<instance>/realisation``, rows ``RealisationRecord``). The domains above certificates add
theirs through the ``stored_documents`` signal (``lms.certificates.signals``): the learners'
dossiers (``<instance>/dossiers``). Four problems are looked for in each: a row whose file is
missing, a file no row names, a temporary file left by a process killed while writing, and a file
whose SHA-256 is not the one its row recorded.

Repairing (``fix=True``) deletes files without rows and temporary files: no row points at them, so
they are leftovers of work that was rolled back or interrupted (a closing of a jury that failed
after its minutes were written leaves one). A certificate whose PDF is missing is rendered again
from the document its row froze: rendering is deterministic, so the new PDF is stored only if its
SHA-256 is the recorded one (otherwise it is reported and left); a certificat de réalisation or
attestation likewise. Only unsigned documents come back that way: a signed one (every document,
once a signing identity is configured: ``lms.core.pades``) holds its time of signing, so it is
reported as signed, to be restored from a backup, and never signed anew. Minutes, attendance
sheets and dossiers whose file is missing are only reported: the data they were built from may
have changed since (a jury's members, a sheet's names; a dossier can be built again, as a new
version). Rows are never deleted: a submission, minutes or a sheet whose file is lost stays
reported until someone restores the file from a backup, since deleting the row would hide the
loss (an attendance record whose supporting file is lost likewise). A file whose hash differs is
reported and kept, as evidence. Running the check again after a repair finds nothing new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from lms.assessments.assignments.uploads import storage_report, upload_folder
from lms.assessments.models import SubmissionFile
from lms.attendance.models import AttendanceSheetDocument
from lms.attendance.sheets.document import sheets_folder
from lms.attendance.sheets.supporting import storage_report as supporting_report
from lms.attendance.sheets.supporting import supporting_folder
from lms.certificates.credentials.issuance import attachment, credential_of
from lms.certificates.document import document_from_json
from lms.certificates.issuing import certificate_folder
from lms.certificates.jury.minutes_store import minutes_folder
from lms.certificates.jury.models import JuryMinutes
from lms.certificates.models import Certificate
from lms.certificates.realisation.document import document_from_json as realisation_from_json
from lms.certificates.realisation.models import RealisationRecord
from lms.certificates.realisation.services import realisation_folder
from lms.certificates.signals import stored_documents
from lms.core import storage
from lms.extensions import db


@dataclass
class Problem:
    """One inconsistency: what kind, where, and whether it was repaired."""

    store: str  # "uploads", "attendance", "attendance-sheets", "certificates", "minutes", …
    kind: str  # "missing-file", "orphan-file", "temporary-file", "hash-mismatch"
    subject: str  # what a person looks for: a row or a file
    detail: str = ""
    fixed: bool = False


@dataclass
class StorageCheck:
    """Every problem found in both stores, and how many files and rows were compared."""

    problems: list[Problem] = field(default_factory=list)
    counted: dict[str, tuple[int, int]] = field(default_factory=dict)  # store: (files, rows)

    @property
    def remaining(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.fixed]


def sha256_of(path: Path) -> str:
    """Return the SHA-256 of a file, read in chunks."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def check_storage(*, fix: bool = False) -> StorageCheck:
    """Check every store of files against its rows; with ``fix``, repair what can be."""
    check = StorageCheck()
    _check_uploads(check, upload_folder(), fix)
    _check_supporting(check, supporting_folder(), fix)
    _check_sheets(check, sheets_folder(), fix)
    _check_certificates(check, certificate_folder(), fix)
    _check_minutes(check, minutes_folder(), fix)
    _check_realisation(check, realisation_folder(), fix)
    for _receiver, store in stored_documents.send(current_app._get_current_object()):
        _check_reported_only(check, store.name, store.folder, store.documents, fix)
    return check


def _check_uploads(check: StorageCheck, folder: Path, fix: bool) -> None:
    report = storage_report(folder)
    on_disk = storage.stored_keys(folder)
    rows = list(db.session.scalars(db.select(SubmissionFile).order_by(SubmissionFile.id)))
    check.counted["uploads"] = (len(on_disk), len(rows))
    for row in report.missing:
        subject = f"submission file {row.id} ({row.original_name}, submission {row.submission_id})"
        check.problems.append(Problem("uploads", "missing-file", subject, row.storage_key))
    present = [(row.storage_key, row.sha256, f"submission file {row.id}") for row in rows]
    _check_hashes(check, "uploads", folder, [item for item in present if item[0] in on_disk])
    _check_leftovers(check, "uploads", folder, report.orphans, fix)


def _check_supporting(check: StorageCheck, folder: Path, fix: bool) -> None:
    report = supporting_report(folder)
    check.counted["attendance"] = (len(report.on_disk), len(report.rows))
    for row in report.missing:
        subject = f"attendance record {row.id} ({row.file_name}, sheet {row.sheet_id})"
        check.problems.append(Problem("attendance", "missing-file", subject, row.file_key or ""))
    present = [
        (row.file_key, row.file_sha256, f"attendance record {row.id}")
        for row in report.rows
        if row.file_key in report.on_disk
    ]
    _check_hashes(check, "attendance", folder, present)  # type: ignore[arg-type]
    _check_leftovers(check, "attendance", folder, report.orphans, fix)


def _check_certificates(check: StorageCheck, folder: Path, fix: bool) -> None:
    on_disk = storage.stored_keys(folder)
    query = db.select(Certificate).where(Certificate.storage_key.is_not(None))
    rows = list(db.session.scalars(query.order_by(Certificate.id)))
    check.counted["certificates"] = (len(on_disk), len(rows))
    known = {row.storage_key for row in rows}
    for row in rows:
        if row.storage_key not in on_disk:
            check.problems.append(_missing_certificate(row, folder, fix))
    present = [(r.storage_key, r.pdf_sha256, f"certificate {r.number}") for r in rows]
    _check_hashes(check, "certificates", folder, [item for item in present if item[0] in on_disk])
    _check_leftovers(check, "certificates", folder, sorted(on_disk - known), fix)


@dataclass(frozen=True)
class StoredStore:
    """A higher domain's store of documents, as ``stored_documents`` receivers return it."""

    name: str  # as the report names it: "dossiers"
    folder: Path
    documents: list[StoredDocument]


@dataclass(frozen=True)
class StoredDocument:
    """A row naming a stored PDF that is only reported when lost (never rebuilt)."""

    key: str
    sha256: str
    missing: str  # how the problem names it when its file is lost
    changed: str  # … and when its file's hash differs


def _check_reported_only(
    check: StorageCheck, store: str, folder: Path, rows: list[StoredDocument], fix: bool
) -> None:
    """Check a store whose lost files are reported, not rebuilt (minutes, attendance sheets)."""
    on_disk = storage.stored_keys(folder)
    check.counted[store] = (len(on_disk), len(rows))
    for row in rows:
        if row.key not in on_disk:
            check.problems.append(Problem(store, "missing-file", row.missing, row.key))
    present = [(row.key, row.sha256, row.changed) for row in rows if row.key in on_disk]
    _check_hashes(check, store, folder, present)
    known = {row.key for row in rows}
    _check_leftovers(check, store, folder, sorted(on_disk - known), fix)


def _check_sheets(check: StorageCheck, folder: Path, fix: bool) -> None:
    query = db.select(AttendanceSheetDocument).order_by(AttendanceSheetDocument.id)
    rows = []
    for row in db.session.scalars(query):
        subject = f"attendance sheet {row.sheet_id}, version {row.version}"
        rows.append(StoredDocument(row.storage_key, row.sha256, subject, subject))
    _check_reported_only(check, "attendance-sheets", folder, rows, fix)


def _check_minutes(check: StorageCheck, folder: Path, fix: bool) -> None:
    rows = [
        StoredDocument(
            row.storage_key,
            row.pdf_sha256,
            f"minutes {row.id} (jury {row.jury_id}, version {row.version})",
            f"minutes {row.id} (jury {row.jury_id})",
        )
        for row in db.session.scalars(db.select(JuryMinutes).order_by(JuryMinutes.id))
    ]
    _check_reported_only(check, "minutes", folder, rows, fix)


def _check_realisation(check: StorageCheck, folder: Path, fix: bool) -> None:
    on_disk = storage.stored_keys(folder)
    query = db.select(RealisationRecord).order_by(RealisationRecord.id)
    rows = list(db.session.scalars(query))
    check.counted["realisation"] = (len(on_disk), len(rows))
    for row in rows:
        if row.storage_key not in on_disk:
            check.problems.append(_missing_realisation(row, folder, fix))
    present = [
        (row.storage_key, row.sha256, f"document {row.reference}")
        for row in rows
        if row.storage_key in on_disk
    ]
    _check_hashes(check, "realisation", folder, present)
    known = {row.storage_key for row in rows}
    _check_leftovers(check, "realisation", folder, sorted(on_disk - known), fix)


def _missing_realisation(row: RealisationRecord, folder: Path, fix: bool) -> Problem:
    """Report a document whose PDF is gone; with ``fix``, rebuild it if it was unsigned."""
    problem = Problem("realisation", "missing-file", f"document {row.reference}", row.storage_key)
    if not fix:
        return problem
    from lms.certificates.realisation.rendering import (
        realisation_template_version,
        render_realisation,
    )

    pdf = render_realisation(realisation_from_json(row.document))
    same_design = row.template_version == realisation_template_version()
    if stored := _restore(problem, folder, pdf, row.sha256, row.template_version, same_design):
        row.storage_key = stored.key  # a new random key; the content is the one produced
        db.session.flush()
    return problem


def _missing_certificate(row: Certificate, folder: Path, fix: bool) -> Problem:
    """Report a certificate whose PDF is gone; with ``fix``, rebuild it if it was unsigned."""
    problem = Problem("certificates", "missing-file", f"certificate {row.number}", row.storage_key)
    if not fix:
        return problem
    from lms.certificates.rendering import template_version

    pdf = rebuild_pdf(row)
    same_design = row.template_version == template_version()
    if stored := _restore(problem, folder, pdf, row.pdf_sha256, row.template_version, same_design):
        row.storage_key = stored.key  # a new random key; the content is the one issued
        db.session.flush()
    return problem


def _restore(
    problem: Problem, folder: Path, pdf: bytes, recorded: str, version: str, same_design: bool
) -> storage.StoredFile | None:
    """Store a PDF rendered again if it is the one issued; else say why it cannot be rebuilt.

    Only an unsigned document can come back: a signature holds its time of signing, so a
    signed PDF is never made again identically, and it is never signed anew (that would be
    another document). Under the same design the unsigned rendering is the signed PDF's first
    part, so a difference there means the document was signed.
    """
    digest = hashlib.sha256(pdf).hexdigest()
    if digest == recorded:
        stored = storage.store_bytes(folder, pdf)
        problem.fixed, problem.detail = True, f"rendered again, stored under {stored.key}"
        return stored
    if same_design:
        problem.detail = (
            f"{problem.detail}: signed when issued, so it cannot be rebuilt (a signature holds "
            "its time of signing); restore it from a backup"
        )
    else:
        problem.detail = (
            f"{problem.detail}: rendered again, but its SHA-256 {digest} is not the recorded "
            f"{recorded} (template {version}); restore it from a backup"
        )
    return None


def rebuild_pdf(certificate: Certificate) -> bytes:
    """Render the certificate's frozen document again (the same bytes under the same template),
    with the signed credential it carried, if it had one."""
    from lms.certificates import rendering  # WeasyPrint loads on first use

    issued = credential_of(certificate.id)
    embedded = attachment(issued.document, issued.issued_at) if issued else None
    return rendering.render_pdf(document_from_json(certificate.document), embedded)


def _check_hashes(
    check: StorageCheck, store: str, folder: Path, items: Iterable[tuple[str, str | None, str]]
) -> None:
    """Report each stored file whose SHA-256 is not its row's."""
    for key, recorded, subject in items:
        actual = sha256_of(storage.stored_path(folder, key))
        if actual != recorded:
            detail = f"{key}: recorded {recorded}, stored file has {actual}"
            check.problems.append(Problem(store, "hash-mismatch", subject, detail))


def _check_leftovers(
    check: StorageCheck, store: str, folder: Path, orphans: Iterable[str], fix: bool
) -> None:
    """Report files without rows and temporary files; with ``fix``, delete them."""
    for key in orphans:
        problem = Problem(store, "orphan-file", f"file {key}", "no row names it")
        problem.fixed = fix and storage.delete_stored(folder, key)
        check.problems.append(problem)
    for path in storage.leftover_temporary_files(folder):
        problem = Problem(store, "temporary-file", str(path.relative_to(folder)), "left by a crash")
        if fix:
            path.unlink(missing_ok=True)
            problem.fixed = True
        check.problems.append(problem)
