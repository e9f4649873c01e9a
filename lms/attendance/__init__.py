"""Attendance: the sessions of a cohort, their attendance sheets (émargement) and realised hours.

This domain sits above ``learning`` beside ``assessments`` (DESIGN.md §9): it may import core,
accounts, curriculum, cohorts and learning, never assessments or certificates. It answers
learning's requirement signals (a module's minimum attendance) and gives certificates what they
ask: attendance rates and realised hours. ``init_app`` registers its part of the path definition
(``[attendance]``, ``[modules.attendance]``), its pages and its commands.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the attendance part of the path definition, the pages and the receivers."""
    from lms.attendance import calendar
    from lms.attendance.definition import AttendanceDefinition
    from lms.attendance.hours import attendance_figures
    from lms.attendance.requirements import missing_attendance, shortfall_text
    from lms.attendance.sessions import init_sessions
    from lms.attendance.sheets import init_sheets
    from lms.attendance.signals import sheet_closed
    from lms.curriculum.definition import register_definition_extension
    from lms.learning.signals import (
        calendar_events,
        connect_cohort_requirements,
        due_reminders,
        learners_attendance,
    )

    register_definition_extension(AttendanceDefinition())
    init_sessions(app)
    init_sheets(app)
    # A module's minimum attendance (completion), and each learner's figures on progress pages.
    connect_cohort_requirements(missing_attendance)
    learners_attendance.connect(attendance_figures)
    # Sessions in calendar feeds; reminders the day before and absence notices at closing.
    calendar_events.connect(calendar.session_events)
    due_reminders.connect(calendar.session_reminders)
    due_reminders.connect(calendar.absence_reminders)
    sheet_closed.connect(calendar.absences_after_close)
    # « Présence 70 % < 80 % requis » as plain text, escaped where a page writes it.
    app.add_template_global(shortfall_text, "attendance_shortfall")
