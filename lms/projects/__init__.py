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
    from lms.organisations.signals import territory_contents
    from lms.projects.definition import ProjectGridDefinition
    from lms.projects.evaluating import bp as evaluations_bp
    from lms.projects.manage import bp as manage_bp
    from lms.projects.territories import projects_on_territories
    from lms.projects.views import bp as projects_bp

    register_definition_extension(ProjectGridDefinition())
    app.register_blueprint(projects_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(manage_bp)
    territory_contents.connect(projects_on_territories)
    init_links(app)


def init_links(app: Flask) -> None:
    """Register the later ex post evaluation: set-up page, public link page, daily command."""
    from lms.projects.invitations_cli import send_project_invitations_command
    from lms.projects.invitations_manage import bp as set_up_bp
    from lms.projects.invitations_setup import later_status
    from lms.projects.invitations_views import bp as link_bp

    app.register_blueprint(set_up_bp)
    app.register_blueprint(link_bp)
    app.cli.add_command(send_project_invitations_command)
    # For the project page's partial (templates/projects/invitations/_later_evaluation.html).
    app.add_template_global(later_status, "later_evaluation_status")
