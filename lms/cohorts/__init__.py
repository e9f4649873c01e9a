"""Cohorts, their module calendar and their memberships (learners, trainers, external assessors).

Who is staff or learner of a cohort is decided in ``lms.cohorts.access`` only.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the trainers' and the administrators' cohort pages, and how pages name funders."""
    from lms.cohorts.access import administers_cohort, manages_cohorts
    from lms.cohorts.admin import bp as cohorts_admin_bp
    from lms.cohorts.assessors_admin import bp as cohort_assessors_bp
    from lms.cohorts.funders import funder_label
    from lms.cohorts.manage import bp as cohorts_manage_bp
    from lms.cohorts.territories import cohorts_on_territories
    from lms.organisations.signals import territory_contents

    app.add_template_global(funder_label, "funder_label")
    app.add_template_global(manages_cohorts, "manages_cohorts")
    app.add_template_global(administers_cohort, "administers_cohort")
    app.register_blueprint(cohorts_manage_bp)
    app.register_blueprint(cohorts_admin_bp)
    app.register_blueprint(cohort_assessors_bp)
    territory_contents.connect(cohorts_on_territories)
