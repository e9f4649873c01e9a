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
    from lms.attendance.definition import AttendanceDefinition
    from lms.attendance.sheets import init_sheets
    from lms.curriculum.definition import register_definition_extension

    register_definition_extension(AttendanceDefinition())
    init_sheets(app)
