"""Certificates: eligibility, certification decisions, issuance, PDF rendering, verification."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the certificate pages and commands, and watch for newly eligible learners."""
    from lms.certificates import auto_issue
    from lms.certificates.batch_views import bp as certificate_batches_bp
    from lms.certificates.cli import check_storage_command, issue_certificates_command
    from lms.certificates.credentials import status_views  # noqa: F401  (adds its route)
    from lms.certificates.credentials.cli import keys_group
    from lms.certificates.credentials.views import bp as credentials_bp
    from lms.certificates.jury import init_jury
    from lms.certificates.manage import bp as certificates_admin_bp
    from lms.certificates.realisation.views import bp as realisation_admin_bp
    from lms.certificates.realisation.views import learner_bp as my_realisation_bp
    from lms.certificates.territory_dashboard.views import bp as territory_dashboard_bp
    from lms.certificates.verification import bp as certificates_bp
    from lms.certificates.views import bp as my_certificates_bp

    app.register_blueprint(certificates_bp)
    app.register_blueprint(credentials_bp)
    app.register_blueprint(my_certificates_bp)
    app.register_blueprint(certificates_admin_bp)
    app.register_blueprint(certificate_batches_bp)
    app.register_blueprint(realisation_admin_bp)
    app.register_blueprint(my_realisation_bp)
    app.register_blueprint(territory_dashboard_bp)
    app.cli.add_command(issue_certificates_command)
    app.cli.add_command(check_storage_command)
    app.cli.add_command(keys_group)
    # Automatic issuance watches the events that can make a learner eligible (it acts only when
    # CERTIFICATES_AUTO_ISSUE is on).
    auto_issue.connect()
    init_jury(app)
