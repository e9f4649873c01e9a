"""The certification jury: its rules in the path definition, sessions, members, votes, closing.

A path that declares a ``[jury]`` has its certification decisions taken by a jury session of a
cohort: members sit in the declared seats, each votes a proposal per candidate, the president
closes and the majority's proposal becomes the candidate's ``CertificationDecision``; the
minutes (procès-verbal) are stored as a PDF/A with their SHA-256.
"""

from __future__ import annotations

from flask import Flask


def init_jury(app: Flask) -> None:
    """Register the ``[jury]`` definition extension, the jury pages, the members' way in and
    their reading of their candidates' projects."""
    from lms.certificates.jury.access import jury_homes, sits_for_project
    from lms.certificates.jury.definition import JuryDefinition
    from lms.certificates.jury.manage import bp as jury_admin_bp
    from lms.certificates.jury.views import bp as jury_bp
    from lms.cohorts.signals import other_duties
    from lms.curriculum.definition import register_definition_extension
    from lms.learning.signals import other_homes
    from lms.projects.signals import project_jurors

    register_definition_extension(JuryDefinition())
    app.register_blueprint(jury_admin_bp)
    app.register_blueprint(jury_bp)
    other_homes.connect(jury_homes)
    other_duties.connect(jury_homes)  # a trainer on a jury finds it from « Mes promotions »
    project_jurors.connect(sits_for_project)
