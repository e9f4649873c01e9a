"""Quality: the entry positioning (see lms.quality and lms.quality.positioning.models).

``init_app`` registers the ``[positioning]`` section of the path definition, the learner's
« Mon positionnement » and the pages of those who follow a cohort, and answers
``lms.learning.signals.entry_levels`` for the competency pages.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this part's definition section, pages and signal receiver."""
    from lms.curriculum.definition import register_definition_extension
    from lms.learning.signals import entry_levels
    from lms.quality.positioning.definition import PositioningDefinition
    from lms.quality.positioning.manage import bp as manage_bp
    from lms.quality.positioning.services import entry_levels_of
    from lms.quality.positioning.views import bp as views_bp

    register_definition_extension(PositioningDefinition())
    app.register_blueprint(views_bp)
    app.register_blueprint(manage_bp)
    # A strong reference: connecting again (another application in the same process) is a no-op.
    entry_levels.connect(entry_levels_of, weak=False)
