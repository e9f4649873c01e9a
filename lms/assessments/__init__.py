"""Assessments: quizzes, assignments and evaluations, rubrics, submissions and grades.

This domain sits above ``learning`` (DESIGN.md §3): it may import core, accounts, curriculum,
cohorts and learning, never certificates or admin. ``init_app`` plugs it into the path-definition
loader (``lms.assessments.loading``) and into the learning domain's signals (what a module still
requires, competency ratings: ``lms.assessments.results.services``).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the assessment pages, the grading digest, the definition part and the receivers."""
    from lms.assessments import calendar
    from lms.assessments.assignments.views import bp as assignments_bp
    from lms.assessments.grading import manage, views  # noqa: F401  (routes of grading_bp)
    from lms.assessments.grading.blueprint import bp as grading_bp
    from lms.assessments.grading.cli import grading_digest_command
    from lms.assessments.loading import AssessmentsDefinition
    from lms.assessments.marking import manage as marking_manage  # noqa: F401  (routes)
    from lms.assessments.marking import views as marking_views  # noqa: F401  (routes)
    from lms.assessments.marking.blueprint import bp as marking_bp
    from lms.assessments.quizzes.views import bp as quizzes_bp
    from lms.assessments.results import services as results
    from lms.assessments.results.manage import bp as gradebook_bp
    from lms.assessments.results.views import bp as results_bp
    from lms.curriculum.definition import register_definition_extension
    from lms.learning.signals import (
        calendar_events,
        competency_ratings,
        connect_cohort_requirements,
        due_reminders,
        learners_activity,
    )

    app.register_blueprint(quizzes_bp)
    app.register_blueprint(assignments_bp)
    app.register_blueprint(grading_bp)
    app.register_blueprint(marking_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(gradebook_bp)
    app.cli.add_command(grading_digest_command)
    # The path-definition file's [[rubrics]] and [[modules.assessments]] (same name: replaced).
    register_definition_extension(AssessmentsDefinition())
    # What a module still requires (quizzes to pass, work to hand in), and competency ratings.
    connect_cohort_requirements(results.missing_assessments)
    competency_ratings.connect(results.rate_competencies)
    learners_activity.connect(results.last_activity)
    # The learner's deadlines in their calendar feed, and the reminders 48 h before them.
    calendar_events.connect(calendar.deadline_events)
    due_reminders.connect(calendar.deadline_reminders)
