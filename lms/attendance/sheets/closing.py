"""Closing a sheet (a trainer signs it) and correcting a closed one (an administrator).

**Closing**: any trainer of the cohort or an administrator signs and closes an open sheet. The
learners nobody signed or marked are recorded ABSENT (by the closing trainer), the sheet is
frozen (every later signature, mark or closing is refused, 409) and its PDF/A is rendered and
stored with its SHA-256 as document version 1, in the same transaction; the closing is audited
and ``sheet_closed`` is sent (absence e-mails answer it, after the commit). The closing locks the
sheet's row, as signatures and marks do: they take turns; of two trainers closing at once, one
closes and the other gets a 409 (the row's ``version_id`` catches a stale write as well).

**Correcting**: once closed, only an administrator changes a record, with a reason. The record is
set to the new status with ``recorded_by=correction`` (a correction to excused may attach a
supporting file), the change is audited (before, after, actor, reason), a new document version is
stored (earlier versions are kept, each with its hash) and ``sheet_corrected`` is sent.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.attendance.models import (
    AttendanceRecord,
    AttendanceSheet,
    AttendanceSheetDocument,
    AttendanceStatus,
    RecordedBy,
    SheetState,
)
from lms.attendance.sheets.document import STATUS_WORDS, Correction, store_document
from lms.attendance.sheets.errors import SheetConflict, SheetError
from lms.attendance.sheets.services import (
    Mark,
    apply_mark,
    check_mark,
    is_cohort_learner,
    refuse_if_closed,
)
from lms.attendance.sheets.supporting import FileChange
from lms.attendance.signals import sheet_closed, sheet_corrected
from lms.cohorts.access import is_cohort_admin
from lms.cohorts.models import Membership, MembershipRole
from lms.core.db import lock_row_for_update
from lms.core.logging import security_event
from lms.core.time import utcnow
from lms.extensions import db


def sheet_learners(sheet: AttendanceSheet) -> list[User]:
    """Return the learners of the session's cohort, by name (one query)."""
    return list(
        db.session.scalars(
            db.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.cohort_id == sheet.session.cohort_id,
                Membership.role == MembershipRole.LEARNER,
            )
            .order_by(User.display_name, User.id)
        )
    )


def sheet_records(sheet: AttendanceSheet) -> dict[int, AttendanceRecord]:
    """Return the sheet's records by learner id (one query)."""
    return {
        record.learner_id: record
        for record in db.session.scalars(db.select(AttendanceRecord).filter_by(sheet_id=sheet.id))
    }


def close_sheet(
    sheet: AttendanceSheet, actor: User, now: datetime | None = None
) -> AttendanceSheetDocument:
    """Sign and close the sheet: unmarked learners absent, frozen, PDF version 1 (flush only)."""
    lock_row_for_update(db.session, AttendanceSheet, sheet.id)  # type: ignore[arg-type]
    db.session.refresh(sheet)
    refuse_if_closed(sheet)
    now = now or utcnow()
    learners = sheet_learners(sheet)
    records = sheet_records(sheet)
    absent = [learner for learner in learners if learner.id not in records]
    for learner in absent:
        record = AttendanceRecord(
            sheet_id=sheet.id,
            learner_id=learner.id,
            status=AttendanceStatus.ABSENT,
            recorded_by=RecordedBy.TRAINER,
            recorder_id=actor.id,
            recorded_at=now,
        )
        db.session.add(record)
        records[learner.id] = record
    sheet.state, sheet.closed_at, sheet.closed_by_id = SheetState.CLOSED, now, actor.id
    try:
        db.session.flush()
    except StaleDataError as error:
        raise SheetConflict(_("This sheet changed meanwhile: read it again.")) from error
    db.session.refresh(sheet, ["closed_by"])
    document = store_document(sheet, learners, records, actor)
    after = {
        "absent": len(absent),
        "records": len(records),
        "document_version": document.version,
        "sha256": document.sha256,
    }
    record_audit_event(actor, "attendance.sheet_close", sheet, after=after)
    security_event("attendance.sheet_close", actor_id=actor.id, sheet_id=sheet.id)
    sheet_closed.send(sheet)
    return document


def correct_record(
    sheet: AttendanceSheet,
    learner: User,
    mark: Mark,
    reason: str,
    admin: User,
    now: datetime | None = None,
    files: FileChange | None = None,
) -> AttendanceSheetDocument:
    """Correct a learner's record on a closed sheet, audited, as a new document version; the
    supporting files stored and dropped are noted in ``files``."""
    if not is_cohort_admin(admin, sheet.session.cohort):
        raise SheetError(_("Only an administrator corrects a closed sheet."))
    reason = reason.strip()
    if not reason:
        raise SheetError(_("Give the reason of the correction."))
    check_mark(mark)
    lock_row_for_update(db.session, AttendanceSheet, sheet.id)  # type: ignore[arg-type]
    db.session.refresh(sheet)
    if not sheet.is_closed:
        raise SheetConflict(_("This sheet is still open: its trainers mark it."))
    if not is_cohort_learner(learner, sheet.session.cohort_id):
        raise SheetError(_("This person is not a learner of the session's cohort."))
    now = now or utcnow()
    records = sheet_records(sheet)
    record = records.get(learner.id)
    if record is None:
        record = AttendanceRecord(sheet_id=sheet.id, learner_id=learner.id)
        db.session.add(record)
        records[learner.id] = record
    before = _state(record)
    with db.session.no_autoflush:
        apply_mark(record, mark, files)
        record.recorded_by, record.recorder_id = RecordedBy.CORRECTION, admin.id
        record.recorded_at = now
    try:
        db.session.flush()
    except StaleDataError as error:
        raise SheetConflict(_("This sheet changed meanwhile: read it again.")) from error
    correction = Correction(
        reason=reason,
        by=admin,
        at=now,
        learner_name=learner.display_name,
        before=STATUS_WORDS[AttendanceStatus(before["status"])] if before["status"] else "—",
        after=STATUS_WORDS[record.status],
    )
    document = store_document(sheet, sheet_learners(sheet), records, admin, correction)
    after = {**_state(record), "document_version": document.version, "sha256": document.sha256}
    record_audit_event(
        admin,
        "attendance.record_correct",
        record,
        before={**before, "reason_of_correction": reason},
        after=after,
    )
    security_event("attendance.record_correct", actor_id=admin.id, sheet_id=sheet.id)
    sheet_corrected.send(sheet, record=record)
    return document


def _state(record: AttendanceRecord) -> dict:
    return {
        "learner_id": record.learner_id,
        "status": record.status.value if record.status else None,
        "arrived_at": record.arrived_at.isoformat() if record.arrived_at else None,
        "reason": record.reason,
        "supporting_file_sha256": record.file_sha256,
        "recorded_by": record.recorded_by.value if record.recorded_by else None,
    }
