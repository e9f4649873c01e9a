"""The sessions of a cohort: planned by its staff, imported from a file, read by its learners.

- ``plans``: a plan and its checks (times in the organisation's time zone, module, trainers,
  place or link, overlaps);
- ``services``: creating, changing and deleting sessions, audited; reading them;
- ``importing``: the CSV import (preview, then commit of the valid rows);
- ``notify``: the e-mails to the cohort (new, moved, cancelled sessions; an import's digest);
- ``forms``, ``manage`` (staff pages), ``views`` (the learner's schedule).
"""

from __future__ import annotations

from flask import Flask


def init_sessions(app: Flask) -> None:
    """Register the staff pages, the learner's schedule and the mails' clock filter."""
    from lms.attendance.sessions.manage import bp as manage_bp
    from lms.attendance.sessions.services import clock_text
    from lms.attendance.sessions.views import bp as schedule_bp

    app.register_blueprint(manage_bp)
    app.register_blueprint(schedule_bp)
    app.add_template_filter(clock_text, "clocktime")
