"""Quality: satisfaction surveys (see lms.quality and lms.quality.surveys.models).

``init_app`` registers the ``[[surveys]]`` part of the path definition, the learner's pages
(« Mes questionnaires »), the public page of a funder's or employer's link, the staff's pages
and the daily command ``lms send-surveys``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this part's definition section, pages and commands."""
    from lms.curriculum.definition import register_definition_extension
    from lms.quality.surveys.cli import send_surveys_command
    from lms.quality.surveys.definition import SurveysDefinition
    from lms.quality.surveys.link_views import bp as link_bp
    from lms.quality.surveys.manage import bp as manage_bp
    from lms.quality.surveys.views import bp as surveys_bp

    register_definition_extension(SurveysDefinition())
    app.register_blueprint(surveys_bp)
    app.register_blueprint(link_bp)
    app.register_blueprint(manage_bp)
    app.cli.add_command(send_surveys_command)
