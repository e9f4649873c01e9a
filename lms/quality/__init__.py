"""Quality: the evidence a certifying training organisation is audited on (Qualiopi).

This domain sits above certificates (DESIGN.md §9): it may import every domain below it, and
none imports it. Its parts, each a package with the usual rooms:

- ``positioning``: where each learner starts (self-assessment, entry levels, adjustments);
- ``surveys``: satisfaction surveys « à chaud », « à froid » and for funders;
- ``indicators``: the figures per path, territory, cohort and period, and those published;
- ``dossiers``: one archive per learner with everything that proves their path;
- ``retention``: how long each kind of data is kept, and the purge.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register each part's definition sections, pages, commands and jobs."""
    from lms.quality import dossiers, indicators, positioning, retention, surveys

    positioning.init_app(app)
    surveys.init_app(app)
    indicators.init_app(app)
    dossiers.init_app(app)
    retention.init_app(app)
