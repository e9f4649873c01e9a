"""Quality: the learner's dossier, one ZIP archive with everything that proves their path.

``models`` (the builds), ``evidence`` (what a dossier holds, read from each domain below),
``archive`` (the ZIP, its index page and SHA-256 manifest), ``jobs`` (the build), ``services``
(requests, reads), ``access``, ``manage`` (administrators' pages), ``views`` (« Mon dossier »),
``cli`` (``lms build-dossiers``). The purge deletes old dossiers (``lms.quality.retention``).
See docs/quality-dossiers.md.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the dossiers' pages and command."""
    from lms.certificates.signals import stored_documents
    from lms.quality.dossiers.cli import build_dossiers_command
    from lms.quality.dossiers.manage import bp as manage_bp
    from lms.quality.dossiers.store import dossier_documents
    from lms.quality.dossiers.views import bp as views_bp

    app.register_blueprint(manage_bp)
    app.register_blueprint(views_bp)
    app.cli.add_command(build_dossiers_command)
    stored_documents.connect(dossier_documents)
