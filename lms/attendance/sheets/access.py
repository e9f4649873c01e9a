"""Who reaches a sheet: staff of the session's cohort on the sheet pages, its learners to sign.

- The sheet pages of a session (the code, marks, closing, PDF versions) are for the people who
  **follow** the session's cohort (``lms.cohorts.access.follows``): any of its trainers, every
  central administrator and the local administrators of its territory; corrections of a closed
  sheet are for the cohort's administrators only (central, or of its territory). Anyone else is
  denied (403); an unknown session is 404.
- A local administrator of another territory, with no role in the cohort, gets the 404 of an
  unknown object on every one of these pages, the signing page and the supporting files
  included (``deny_cohort``).
- The signing page of a sheet is for the **learners of the session's cohort**; trainers,
  assessors, administrators and learners of other cohorts are denied (403) with the reason, and
  an unknown sheet is 404. A learner sees their own record there, never anybody else's.
- The sheet's PDF (every learner's signature) goes to those who follow the cohort, never to
  learners.
- The supporting file of an excused absence goes to those who follow the session's cohort and
  to the learner concerned, nobody else (403); an unknown record, or one without a file, is 404.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.accounts.permissions import deny
from lms.attendance.models import AttendanceRecord, AttendanceSheet, TrainingSession
from lms.attendance.sheets.services import is_cohort_learner
from lms.cohorts.access import deny_cohort, follows, is_cohort_admin
from lms.cohorts.models import Cohort
from lms.extensions import db

SESSION_OPTIONS = (
    joinedload(TrainingSession.cohort).joinedload(Cohort.path),
    joinedload(TrainingSession.module),
)


def staff_session_or_403(session_id: int) -> TrainingSession:
    """Return the session for those who follow its cohort; deny everyone else; 404 if unknown."""
    session = _session_or_404(session_id)
    if not follows(current_user, session.cohort):
        deny_cohort(session.cohort)
    return session


def admin_session_or_403(session_id: int) -> TrainingSession:
    """Return the session for its cohort's administrators; deny everyone else; 404 if unknown."""
    session = _session_or_404(session_id)
    if not is_cohort_admin(current_user, session.cohort):
        deny_cohort(session.cohort)
    return session


def _session_or_404(session_id: int) -> TrainingSession:
    """Return the session, its cohort, path and module loaded; 404 if unknown."""
    if not current_user.is_authenticated:
        deny()
    session = db.session.scalar(
        db.select(TrainingSession).options(*SESSION_OPTIONS).filter_by(id=session_id)
    )
    if session is None:
        abort(404)
    return session


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
        deny_cohort(sheet.session.cohort)
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
    cohort = record.sheet.session.cohort
    if record.learner_id != current_user.id and not follows(current_user, cohort):
        deny_cohort(cohort)
    if not record.file_key:
        abort(404)
    return record
