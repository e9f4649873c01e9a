"""The learner's progress through the path: lesson completion and the chronology engine.

Whether a module is open to the current learner is decided in ``lms.learning.access`` only.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the learner's pages, the trainers' progress pages, the calendar feed, the
    reminders and the signal receivers."""
    from lms.cohorts.signals import learners_progress_count
    from lms.learning import cohort_progress, services
    from lms.learning.calendar.views import bp as calendar_bp
    from lms.learning.manage import bp as learning_manage_bp
    from lms.learning.reminders import services as reminders
    from lms.learning.reminders.cli import send_reminders_command
    from lms.learning.reminders.views import bp as reminders_bp
    from lms.learning.signals import module_requirements
    from lms.learning.views import bp as learning_bp

    app.register_blueprint(learning_bp)
    app.register_blueprint(learning_manage_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(reminders_bp)
    app.cli.add_command(send_reminders_command)
    # Reminders queued by a transaction (absence notices) leave once it commits.
    reminders.connect()
    # The lessons a module still requires (the batch paths count them themselves), and, for the
    # cohorts domain, whether a cohort's learners have progress.
    module_requirements.connect(services.missing_lessons_in_module)
    learners_progress_count.connect(cohort_progress.learners_with_lessons_done)
