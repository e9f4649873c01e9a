"""Quality: retention (see lms.quality): how long each kind of data is kept, and the purge.

``periods`` computes what is past its period on a day (« 31 December of N + k »), ``rules``
lists each kind of data with its period and what the purge does past it, ``actions`` is what
one row undergoes, ``services`` plans and applies a purge, ``cli`` holds ``lms purge`` and
``lms cohort-retention``, ``views`` the administrators' read-only page. Documented in
docs/operations.md (Retention) and docs/quality-retention.md.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this part's page and commands."""
    from lms.quality.retention.cli import cohort_retention_command, purge_command
    from lms.quality.retention.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(purge_command)
    app.cli.add_command(cohort_retention_command)
