"""Submission storage: what a version may hold, its files stored, and the storage's report.

Files are checked (``files.check_file``) before anything is written, then stored under random keys
(``lms.core.storage``). A stored file whose row is not committed must not stay behind: the
service removes what it stored when it fails, and ``SubmitResult.stored_keys`` lets the view
remove them when the commit itself fails (``discard_files``). A process killed in between leaves
a file without a row, which ``storage_report`` lists.

Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.assessments.assignments.errors import AssignmentError, ConcurrentSubmission, UploadTooLarge
from lms.assessments.models import Assessment, AssessmentKind, Submission, SubmissionFile
from lms.core import storage
from lms.core.files import UploadRefused, check_file
from lms.extensions import db

MAX_TEXT_LENGTH = 50_000
MAX_FILES = 5
MEGABYTE = 1024 * 1024


def upload_folder() -> Path:
    """Return the folder of the learners' files: ``<instance>/uploads``."""
    return Path(current_app.instance_path) / "uploads"


@dataclass(frozen=True)
class Upload:
    """A file as the learner sent it: the name their browser gave and its bytes."""

    name: str
    data: bytes


@dataclass
class SubmitResult:
    """The version the learner's work is in, whether it is new, and the keys stored for it."""

    submission: Submission
    created: bool
    stored_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StorageReport:
    """Rows whose file is missing, and stored files that no row names."""

    missing: list[SubmissionFile]
    orphans: list[str]


def checked_uploads(assessment: Assessment, text: str, uploads: Sequence[Upload]) -> list:
    """Refuse work the assignment does not take; return each upload with what it is."""
    if assessment.kind != AssessmentKind.ASSIGNMENT:
        raise AssignmentError(_("This assessment takes no submission."))
    uploads = [upload for upload in uploads if upload.name or upload.data]
    if text and not assessment.accepts_text:
        raise AssignmentError(_("This assignment takes files only, not text."))
    if uploads and not assessment.accepts_files:
        raise AssignmentError(_("This assignment takes text only, not files."))
    if "\0" in text:
        raise AssignmentError(_("The text contains invalid characters."))
    if len(text) > MAX_TEXT_LENGTH:
        raise AssignmentError(
            _("The text is too long (%(max)d characters at most).", max=MAX_TEXT_LENGTH)
        )
    if not text and not uploads:
        raise AssignmentError(_("Write your work or attach a file before submitting."))
    if len(uploads) > MAX_FILES:
        raise AssignmentError(_("Attach %(max)d files at most.", max=MAX_FILES))
    return [(upload, _checked_upload(assessment, upload)) for upload in uploads]


def _checked_upload(assessment: Assessment, upload: Upload):
    """Refuse a file that is too large or not what its extension says."""
    if len(upload.data) > assessment.max_file_mb * MEGABYTE:
        raise UploadTooLarge(
            _("Each file may weigh %(max)d MB at most.", max=assessment.max_file_mb)
        )
    try:
        return check_file(upload.name, upload.data, assessment.extensions)
    except UploadRefused as refused:
        raise AssignmentError(str(refused)) from None


def store_and_flush(submission: Submission, checked: list, folder: Path) -> SubmitResult:
    """Store the files, then flush the version; remove the stored files if anything fails."""
    keys: list[str] = []
    try:
        for upload, checked_file in checked:
            stored = storage.store_bytes(folder, upload.data)
            keys.append(stored.key)
            submission.files.append(_file_row(stored, checked_file))
        db.session.add(submission)
        db.session.flush()
    except IntegrityError:
        discard_files(folder, keys)
        raise ConcurrentSubmission(_("Another version was submitted at the same moment.")) from None
    except BaseException:
        discard_files(folder, keys)
        raise
    return SubmitResult(submission, created=True, stored_keys=keys)


def _file_row(stored: storage.StoredFile, checked_file) -> SubmissionFile:
    """Describe a stored file for its row."""
    return SubmissionFile(
        original_name=checked_file.name,
        storage_key=stored.key,
        size=stored.size,
        sha256=stored.sha256,
        content_type=checked_file.content_type,
    )


def discard_files(folder: Path, keys: Sequence[str]) -> None:
    """Remove files stored for a version that was not recorded after all."""
    for key in keys:
        storage.delete_stored(folder, key)


def storage_report(folder: Path) -> StorageReport:
    """Compare the files' rows with the stored files: rows without file, files without row."""
    on_disk = storage.stored_keys(folder)
    rows = list(db.session.scalars(db.select(SubmissionFile)))
    known = {row.storage_key for row in rows}
    missing = [row for row in rows if row.storage_key not in on_disk]
    return StorageReport(missing=missing, orphans=sorted(on_disk - known))
