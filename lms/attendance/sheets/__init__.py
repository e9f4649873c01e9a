"""Attendance sheets (émargement): one per session, signed by learners with a rotating code,
marked and then signed and closed by a trainer, stored as a PDF/A with its SHA-256, corrected
only by an administrator as a new version.

``services`` (the sheet, the signing window, signatures and marks), ``codes`` (the rotating
code), ``closing`` (closing and corrections), ``document`` (the PDF), ``access`` (who reaches
what), ``views`` (the learner's signing page) and ``manage`` (the staff's pages).
"""

from __future__ import annotations

from flask import Flask


def init_sheets(app: Flask) -> None:
    """Register the sheet pages (one blueprint, ``attendance_sheets``)."""
    from lms.attendance.sheets import manage  # noqa: F401  (adds the staff's routes to bp)
    from lms.attendance.sheets.views import bp

    app.register_blueprint(bp)
