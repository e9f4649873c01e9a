"""Projects: the projects learners accompany on a territory, evaluated with the common grid.

This domain sits above ``learning`` beside ``assessments`` and ``attendance`` (DESIGN.md §9): it
may import core, accounts, organisations, curriculum, cohorts and learning, never assessments,
attendance or certificates. ``init_app`` registers its part of the path definition
(``[project_grid]``), its pages and its commands. It asks certificates who sits on a jury of a
learner through ``lms.projects.signals.project_jurors``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the project grid's part of the path definition and the projects' pages."""
    from lms.curriculum.definition import register_definition_extension
    from lms.projects.definition import ProjectGridDefinition
    from lms.projects.evaluating import bp as evaluations_bp
    from lms.projects.manage import bp as manage_bp
    from lms.projects.views import bp as projects_bp

    register_definition_extension(ProjectGridDefinition())
    app.register_blueprint(projects_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(manage_bp)
