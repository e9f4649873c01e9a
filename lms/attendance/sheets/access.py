"""Who reaches a sheet: staff of the session's cohort on the sheet pages, its learners to sign.

- The sheet pages of a session (the code, marks, closing, PDF versions) are for the **staff**
  of the session's cohort: any of its trainers and every administrator; corrections of a closed
  sheet are for administrators only. Anyone else is denied (403); an unknown session is 404.
- The signing page of a sheet is for the **learners of the session's cohort**; trainers,
  assessors, administrators and learners of other cohorts are denied (403) with the reason, and
  an unknown sheet is 404. A learner sees their own record there, never anybody else's.
- The sheet's PDF (every learner's signature) goes to the staff only, never to learners.
- The supporting file of an excused absence goes to the staff of the session's cohort and to
  the learner concerned, nobody else (403); an unknown record, or one without a file, is 404.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.accounts.permissions import deny
from lms.attendance.models import AttendanceRecord, AttendanceSheet, TrainingSession
from lms.attendance.sheets.services import is_cohort_learner
from lms.cohorts.access import is_staff
from lms.cohorts.models import Cohort
from lms.extensions import db

SESSION_OPTIONS = (
    joinedload(TrainingSession.cohort).joinedload(Cohort.path),
    joinedload(TrainingSession.module),
)


def staff_session_or_403(session_id: int) -> TrainingSession:
    """Return the session for the staff of its cohort; deny everyone else; 404 if unknown."""
    if not current_user.is_authenticated:
        deny()
    session = db.session.scalar(
        db.select(TrainingSession).options(*SESSION_OPTIONS).filter_by(id=session_id)
    )
    if session is None:
        abort(404)
    if not is_staff(current_user, session.cohort):
        deny()
    return session


def admin_session_or_403(session_id: int) -> TrainingSession:
    """Return the session for an administrator; deny everyone else; 404 if unknown."""
    if not (current_user.is_authenticated and current_user.is_admin):
        deny()
    return staff_session_or_403(session_id)


def learner_sheet_or_403(sheet_id: int) -> AttendanceSheet:
    """Return the sheet for a learner of its session's cohort; deny everyone else; 404 if none."""
    if not current_user.is_authenticated:
        deny()
    sheet = db.session.scalar(
        db.select(AttendanceSheet)
        .options(joinedload(AttendanceSheet.session).options(*SESSION_OPTIONS))
        .filter_by(id=sheet_id)
    )
    if sheet is None:
        abort(404)
    if not is_cohort_learner(current_user, sheet.session.cohort_id):
        deny()
    return sheet


def supporting_record_or_403(record_id: int) -> AttendanceRecord:
    """Return the record with a supporting file for its learner and the staff of its cohort;
    deny everyone else; 404 if there is no such record or it has no file."""
    if not current_user.is_authenticated:
        deny()
    record = db.session.scalar(
        db.select(AttendanceRecord)
        .options(
            joinedload(AttendanceRecord.sheet)
            .joinedload(AttendanceSheet.session)
            .joinedload(TrainingSession.cohort)
        )
        .filter_by(id=record_id)
    )
    if record is None:
        abort(404)
    if record.learner_id != current_user.id and not is_staff(
        current_user, record.sheet.session.cohort
    ):
        deny()
    if not record.file_key:
        abort(404)
    return record
