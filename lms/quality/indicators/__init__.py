"""Quality: indicators (see lms.quality).

The figures per path, territory, cohort and period (``figures``, ``satisfaction``: SQL
aggregates; ``rows``: one figure a row), the staff's page and CSV (``manage``), the public
results page (``views``), and the learners' withdrawals the dropout counts (``withdrawals``).
The definitions are in docs/quality-indicators.md.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this part's pages."""
    from lms.quality.indicators import display, manage, views, withdrawals

    display.init_app(app)

    app.register_blueprint(manage.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(withdrawals.bp)
