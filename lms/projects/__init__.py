"""Projects: the projects learners accompany on a territory, evaluated with the common grid.

This domain sits above ``learning`` beside ``assessments`` and ``attendance`` (DESIGN.md §9): it
may import core, accounts, organisations, curriculum, cohorts and learning, never assessments,
attendance or certificates. ``init_app`` registers its part of the path definition
(``[project_grid]``), its pages and its commands.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the project grid's part of the path definition and the projects' pages."""
    from lms.curriculum.definition import register_definition_extension
    from lms.organisations.signals import territory_contents
    from lms.projects.definition import ProjectGridDefinition
    from lms.projects.territories import projects_on_territories

    register_definition_extension(ProjectGridDefinition())
    territory_contents.connect(projects_on_territories)
