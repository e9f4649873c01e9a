"""The supporting file of an excused absence: checked, stored under a random key, replaced.

A trainer marking a learner excused (or an administrator correcting a closed sheet to excused)
may attach one supporting file: PDF, PNG or JPEG only, checked by extension AND content
(``lms.core.files``), at most ``ATTENDANCE_SUPPORTING_FILE_MAX_MB`` megabytes (5), not empty
(SECURITY.md F23–F26). It is stored with ``lms.core.storage`` under a random key in
``<instance>/attendance``; the record keeps the key, the cleaned name and the SHA-256.

A file is refused before anything is written (``SupportingFileRefused``: the page shows the
reason beside the field). The file stored for a change that is not committed must not stay
behind, and neither must the file a change replaced or dropped (a new file, or a status that is
no longer excused): ``files_unit_of_work`` commits the change, then deletes the dropped files,
or, when anything fails, deletes the files stored for it. A process killed in between leaves a
file without a row, which ``lms check-storage`` reports (and ``--fix`` removes).

Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _

from lms.attendance.models import AttendanceRecord
from lms.attendance.sheets.errors import SheetError
from lms.core import storage
from lms.core.files import CheckedFile, UploadRefused, check_file
from lms.core.transactions import unit_of_work
from lms.extensions import db

ACCEPTED_EXTENSIONS = ["pdf", "png", "jpg", "jpeg"]
MEGABYTE = 1024 * 1024


class SupportingFileRefused(SheetError):
    """The supporting file cannot be accepted; the message says why (shown beside the field)."""


class SupportingFileTooLarge(SupportingFileRefused):
    """The supporting file weighs more than the setting allows (answered 413)."""


def supporting_folder() -> Path:
    """Return the folder of the supporting files: ``<instance>/attendance``."""
    return Path(current_app.instance_path) / "attendance"


def max_bytes() -> int:
    """Return the largest supporting file accepted, in bytes."""
    return int(current_app.config["ATTENDANCE_SUPPORTING_FILE_MAX_MB"]) * MEGABYTE


@dataclass(frozen=True)
class SupportingUpload:
    """A file as the trainer sent it: the name their browser gave and its bytes."""

    name: str
    data: bytes


@dataclass
class FileChange:
    """The files a change stored (deleted if it is not committed) and dropped (deleted once it
    is)."""

    stored: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def check_supporting(upload: SupportingUpload) -> CheckedFile:
    """Refuse a file that is too large, empty or not a real PDF, PNG or JPEG."""
    limit = int(current_app.config["ATTENDANCE_SUPPORTING_FILE_MAX_MB"])
    if len(upload.data) > max_bytes():
        raise SupportingFileTooLarge(
            _("The supporting file may weigh %(max)d MB at most.", max=limit)
        )
    try:
        return check_file(upload.name, upload.data, ACCEPTED_EXTENSIONS)
    except UploadRefused as refused:
        raise SupportingFileRefused(str(refused)) from None


def attach(record: AttendanceRecord, upload: SupportingUpload, files: FileChange) -> None:
    """Store the (checked) file for the excused record, replacing the one it had (no flush)."""
    checked = check_supporting(upload)
    stored = storage.store_bytes(supporting_folder(), upload.data)
    files.stored.append(stored.key)
    drop(record, files)
    record.file_key, record.file_name, record.file_sha256 = stored.key, checked.name, stored.sha256


def drop(record: AttendanceRecord, files: FileChange) -> None:
    """Forget the record's file; it is deleted once the change is committed."""
    if record.file_key:
        files.dropped.append(record.file_key)
    record.file_key = record.file_name = record.file_sha256 = None


@contextmanager
def files_unit_of_work() -> Iterator[FileChange]:
    """A ``unit_of_work`` that also settles the files: on commit, delete those the change
    dropped; on any failure (the commit's too), delete those it stored."""
    files = FileChange()
    try:
        with unit_of_work():
            yield files
    except BaseException:
        for key in files.stored:
            storage.delete_stored(supporting_folder(), key)
        raise
    for key in files.dropped:
        storage.delete_stored(supporting_folder(), key)


def open_supporting(record: AttendanceRecord) -> BinaryIO:
    """Open the record's supporting file; the caller closes it (``StorageError`` if lost)."""
    if not record.file_key:
        raise storage.StoredFileMissing("this record has no supporting file")
    return storage.open_stored(supporting_folder(), record.file_key)


@dataclass(frozen=True)
class SupportingReport:
    """Records whose file is missing, and stored files that no record names."""

    missing: list[AttendanceRecord]
    orphans: list[str]
    rows: list[AttendanceRecord]
    on_disk: set[str]


def storage_report(folder: Path) -> SupportingReport:
    """Compare the records' files with the stored files: rows without file, files without row."""
    on_disk = storage.stored_keys(folder)
    rows = list(
        db.session.scalars(
            db.select(AttendanceRecord)
            .where(AttendanceRecord.file_key.is_not(None))
            .order_by(AttendanceRecord.id)
        )
    )
    known = {row.file_key for row in rows}
    missing = [row for row in rows if row.file_key not in on_disk]
    return SupportingReport(missing, sorted(on_disk - known), rows, on_disk)  # type: ignore[arg-type]
