"""Signals through which attendance tells other domains what happened to a sheet.

``sheet_closed``
    Sent with ``sender=sheet`` (an ``AttendanceSheet`` just closed and flushed, its records
    final) by the service that closes it, inside the request's transaction. Receivers must not
    commit; work that must wait for the commit (e-mails, jobs) goes through
    ``lms.core.transactions`` after-commit hooks or a job.

``sheet_corrected``
    Sent with ``sender=sheet`` and ``record=`` (the corrected ``AttendanceRecord``) after an
    administrator corrected a closed sheet, its new document version flushed.
"""

from __future__ import annotations

from blinker import Namespace

attendance_signals = Namespace()

sheet_closed = attendance_signals.signal(
    "sheet-closed", doc="A sheet was closed (sender=sheet); its records are final."
)
sheet_corrected = attendance_signals.signal(
    "sheet-corrected", doc="A closed sheet was corrected (sender=sheet, record=record)."
)
