"""A session's attendance sheet: created on first need, signed by learners, marked by trainers.

Rules (CERTIFICATION-FR.md §2, SECURITY.md J40, J44):

- **One sheet per session**, created the first time a page or a signature needs it; two
  requests creating it at once end with the same sheet (``attendance_sheets.session_id`` is
  unique: the loser of the insert reads the winner's row).
- **Signing window**: learners sign from ``ATTENDANCE_OPENS_BEFORE_MINUTES`` (30) before the
  session starts until ``ATTENDANCE_CLOSES_AFTER_MINUTES`` (60) after it ends.
- **Signing** with the rotating code (``codes``) records the learner PRESENT when they sign
  before the start plus ``ATTENDANCE_LATE_AFTER_MINUTES`` (15), LATE otherwise, arrived at the
  moment of signing. The trail is the authenticated account, the server's time
  (``recorded_at``), the sheet and, once closed, the document's SHA-256.
- A learner signs once: a second attempt changes nothing and says when they signed; two
  submissions at once leave one record (the unique ``(sheet_id, learner_id)`` decides).
- A learner the trainer already marked **absent or excused** cannot sign over it: the trainer's
  mark stands until the trainer changes it (a learner who arrives after being marked absent
  asks the trainer, who marks them late).
- Refused, nothing recorded: before the window opens, after it closes, on a closed sheet, with
  a wrong or stale code, by anyone who is not a learner of the session's cohort.
- **Marking**: any trainer of the cohort or an administrator sets a learner present, late (with
  the arrival time), absent or excused (with a reason, and optionally a supporting file:
  ``supporting``) while the sheet is open; the sheet's row is locked for it, so a mark and a
  closing take turns. A new file replaces the record's; a status other than excused drops it.

Services flush and never commit (``lms.core.transactions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.attendance.models import (
    AttendanceRecord,
    AttendanceSheet,
    AttendanceStatus,
    RecordedBy,
    TrainingSession,
)
from lms.attendance.sheets import codes
from lms.attendance.sheets.errors import SheetConflict, SheetError, WrongCode
from lms.attendance.sheets.supporting import (
    FileChange,
    SupportingFileRefused,
    SupportingUpload,
    attach,
    check_supporting,
    drop,
)
from lms.cohorts.models import Membership, MembershipRole
from lms.core.db import lock_row_for_update
from lms.core.logging import security_event
from lms.core.time import organisation_timezone, utcnow
from lms.extensions import db

SIGNED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


def clock(moment: datetime) -> str:
    """Return the time of a moment in the organisation's time zone: « 09:05 »."""
    return moment.astimezone(organisation_timezone()).strftime("%H:%M")


@dataclass(frozen=True)
class Window:
    """When learners may sign a session's sheet."""

    opens_at: datetime
    closes_at: datetime
    late_after: datetime

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now <= self.closes_at


def signing_window(session: TrainingSession) -> Window:
    """Return the session's signing window, from the configuration."""
    config = current_app.config
    return Window(
        opens_at=session.starts_at - timedelta(minutes=config["ATTENDANCE_OPENS_BEFORE_MINUTES"]),
        closes_at=session.ends_at + timedelta(minutes=config["ATTENDANCE_CLOSES_AFTER_MINUTES"]),
        late_after=session.starts_at + timedelta(minutes=config["ATTENDANCE_LATE_AFTER_MINUTES"]),
    )


def sheet_of(session: TrainingSession) -> AttendanceSheet:
    """Return the session's sheet, creating it (flushed) on first need; race-safe."""
    sheet = db.session.scalar(db.select(AttendanceSheet).filter_by(session_id=session.id))
    if sheet is not None:
        return sheet
    try:
        with db.session.begin_nested():
            sheet = AttendanceSheet(session_id=session.id)
            db.session.add(sheet)
    except IntegrityError:  # created meanwhile by another request: read theirs
        sheet = db.session.scalars(
            db.select(AttendanceSheet)
            .filter_by(session_id=session.id)
            .execution_options(populate_existing=True)
        ).one()
    return sheet


def learner_ids_of(cohort_id: int) -> list[int]:
    """Return the ids of the cohort's learners (one query)."""
    return list(
        db.session.scalars(
            db.select(Membership.user_id).filter_by(
                cohort_id=cohort_id, role=MembershipRole.LEARNER
            )
        )
    )


def is_cohort_learner(user: User, cohort_id: int) -> bool:
    """Tell whether ``user`` is a learner of the cohort (one query)."""
    role = db.session.scalar(
        db.select(Membership.role).filter_by(cohort_id=cohort_id, user_id=user.id)
    )
    return role == MembershipRole.LEARNER


def record_of(sheet: AttendanceSheet, learner_id: int) -> AttendanceRecord | None:
    """Return the learner's record on the sheet, if any (one query)."""
    return db.session.scalar(
        db.select(AttendanceRecord).filter_by(sheet_id=sheet.id, learner_id=learner_id)
    )


def refuse_if_closed(sheet: AttendanceSheet) -> None:
    if sheet.is_closed:
        raise SheetConflict(_("This attendance sheet is closed: it can no longer change."))


def already_signed(record: AttendanceRecord) -> SheetError:
    return SheetError(
        _("You already signed this sheet at %(time)s.", time=clock(record.recorded_at))
    )


def refuse_existing(record: AttendanceRecord) -> None:
    """Refuse a signature over an existing record, saying why."""
    if record.status in SIGNED:
        raise already_signed(record)
    raise SheetError(
        _(
            "Your trainer recorded you as absent or excused for this session: "
            "ask them to change it if you are here."
        )
    )


def sign(sheet: AttendanceSheet, learner: User, code: str, now: datetime | None = None):
    """Record the learner's signature with the code (flush only); refuse saying why."""
    now = now or utcnow()
    session = sheet.session
    if not is_cohort_learner(learner, session.cohort_id):
        raise SheetError(_("Only the learners of this session's cohort sign its sheet."))
    # Signatures, marks and the closing take turns on the sheet's row.
    lock_row_for_update(db.session, AttendanceSheet, sheet.id)  # type: ignore[arg-type]
    db.session.refresh(sheet)
    refuse_if_closed(sheet)
    if existing := record_of(sheet, learner.id):
        refuse_existing(existing)
    window = signing_window(session)
    if now < window.opens_at:
        raise SheetError(_("Signing opens at %(time)s.", time=clock(window.opens_at)))
    if now > window.closes_at:
        raise SheetError(_("Signing closed at %(time)s.", time=clock(window.closes_at)))
    if not codes.code_matches(sheet.id, code, now):
        security_event("attendance.wrong_code", actor_id=learner.id, sheet_id=sheet.id)
        raise WrongCode(_("This code is wrong or has expired: type the code shown now."))
    late = now > window.late_after
    record = AttendanceRecord(
        sheet_id=sheet.id,
        learner_id=learner.id,
        status=AttendanceStatus.LATE if late else AttendanceStatus.PRESENT,
        recorded_by=RecordedBy.CODE,
        recorded_at=now,
        arrived_at=now if late else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:  # the same learner's other submission won the insert
        theirs = record_of(sheet, learner.id)
        if theirs is None:
            raise
        refuse_existing(theirs)
    return record


@dataclass(frozen=True)
class Mark:
    """What a trainer records for one learner."""

    status: AttendanceStatus
    arrived_at: datetime | None = None
    reason: str | None = None
    # A new supporting file (excused only); None keeps the record's file while it stays excused.
    file: SupportingUpload | None = None


def check_mark(mark: Mark) -> None:
    """Refuse a mark missing what its status needs, or whose supporting file is not accepted."""
    if mark.status is AttendanceStatus.LATE and mark.arrived_at is None:
        raise SheetError(_("Give the arrival time of a late learner."))
    if mark.status is AttendanceStatus.EXCUSED and not (mark.reason or "").strip():
        raise SheetError(_("Give the reason of an excused absence."))
    if mark.file is not None:
        if mark.status is not AttendanceStatus.EXCUSED:
            raise SupportingFileRefused(_("Only an excused absence takes a supporting file."))
        check_supporting(mark.file)


def apply_mark(record: AttendanceRecord, mark: Mark, files: FileChange | None = None) -> None:
    """Write the mark's fields on the record, clearing what its status does not have.

    A new supporting file is stored and replaces the record's; the files stored and dropped are
    noted in ``files`` (``supporting.files_unit_of_work`` settles them after the commit).
    """
    files = files if files is not None else FileChange()
    record.status = mark.status
    record.arrived_at = mark.arrived_at if mark.status is AttendanceStatus.LATE else None
    excused = mark.status is AttendanceStatus.EXCUSED
    record.reason = (mark.reason or "").strip() if excused else None
    if not excused:
        drop(record, files)
    elif mark.file is not None:
        attach(record, mark.file, files)


def mark_learner(
    sheet: AttendanceSheet,
    learner: User,
    mark: Mark,
    actor: User,
    now: datetime | None = None,
    files: FileChange | None = None,
) -> AttendanceRecord:
    """Record a trainer's mark for a learner of the open sheet (flush only); the supporting
    files stored and dropped are noted in ``files``."""
    check_mark(mark)
    lock_row_for_update(db.session, AttendanceSheet, sheet.id)  # type: ignore[arg-type]
    db.session.refresh(sheet)
    refuse_if_closed(sheet)
    if not is_cohort_learner(learner, sheet.session.cohort_id):
        raise SheetError(_("This person is not a learner of the session's cohort."))
    now = now or utcnow()
    record = record_of(sheet, learner.id)
    if record is None:
        record = AttendanceRecord(sheet_id=sheet.id, learner_id=learner.id)
        db.session.add(record)
    with db.session.no_autoflush:
        apply_mark(record, mark, files)
        record.recorded_by, record.recorder_id = RecordedBy.TRAINER, actor.id
        record.recorded_at = now
    db.session.flush()
    return record
