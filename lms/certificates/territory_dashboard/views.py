"""The territory dashboard's pages (blueprint ``territory_dashboard``).

- ``/admin/dashboard/territories``: every territory together, for central administrators;
- ``/admin/dashboard/territories/<id>``: one territory, for central administrators and its
  local administrators; another territory is a 404 for a local administrator (territories do
  not learn of each other), everyone else gets 403;
- each with its CSV (``.csv``).
"""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal
from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.permissions import admin_required
from lms.certificates.territory_dashboard.chart import layout_chart
from lms.certificates.territory_dashboard.cohorts import certification_totals, cohort_figures
from lms.certificates.territory_dashboard.export import csv_rows
from lms.certificates.territory_dashboard.projects import (
    MOMENTS,
    cohort_path_ids,
    project_figures,
)
from lms.cohorts.forms import STATE_LABELS
from lms.core.csv import csv_response
from lms.core.time import local_today
from lms.extensions import db
from lms.organisations.access import (
    administered_territory_ids,
    administers_territory,
    territory_admin_required,
)
from lms.organisations.models import Territory
from lms.projects.forms import STAGE_LABELS
from lms.projects.models import EvaluationMoment

bp = Blueprint("territory_dashboard", __name__, url_prefix="/admin/dashboard/territories")

MOMENT_LABELS = {EvaluationMoment.EX_ANTE: _l("Ex ante"), EvaluationMoment.EX_POST: _l("Ex post")}


@bp.context_processor
def _labels() -> dict:
    return {
        "stage_labels": STAGE_LABELS,
        "moment_labels": MOMENT_LABELS,
        "state_labels": STATE_LABELS,
    }


@bp.app_template_filter("mean_value")
def mean_value(value: float | None, signed: bool = False) -> str:
    """Write a mean with two decimals and the reader's decimal sign (« 2,40 »); "—" for none."""
    if value is None:
        return "—"
    locale = get_locale() or Locale.parse("en")
    text = format_decimal(value, "+#,##0.00;-#,##0.00" if signed else "#,##0.00", locale=locale)
    return text


def _territory_or_404(territory_id: int) -> Territory:
    """Return the territory for its administrators; 404 when unknown or not theirs."""
    territory = db.get_or_404(Territory, territory_id)
    if not administers_territory(current_user, territory.id):
        abort(404)  # a local administrator does not learn of another territory
    return territory


def _territories() -> list[Territory]:
    """Return the territories the user administers, by name (the dashboard's navigation)."""
    query = db.select(Territory).where(Territory.id.in_(administered_territory_ids(current_user)))
    return list(db.session.scalars(query.order_by(Territory.name)))


def _render(territory: Territory | None):
    territory_id = territory.id if territory else None
    cohorts = cohort_figures(territory_id)
    projects = project_figures(territory_id, {item.cohort.path_id for item in cohorts})
    charts = [layout_chart(section, MOMENTS) for section in projects.sections]
    return render_template(
        "certificates/territory_dashboard/show.html",
        territory=territory,
        territories=_territories(),
        cohorts=cohorts,
        totals=certification_totals(cohorts),
        projects=projects,
        sections=list(zip(projects.sections, charts, strict=True)),
        moments=MOMENTS,
    )


def _csv(territory: Territory | None):
    territory_id = territory.id if territory else None
    figures = project_figures(territory_id, cohort_path_ids(territory_id))
    name = territory.name if territory else _("all territories")
    slug = territory.code if territory else "all"
    filename = f"territory-dashboard-{slug}-{local_today().isoformat()}.csv"
    return csv_response(csv_rows(name, figures, STAGE_LABELS), filename)


@bp.get("/")
@admin_required
def overall():
    """Show every territory's cohorts, certification and projects together."""
    return _render(None)


@bp.get("/export.csv")
@admin_required
def overall_csv():
    """Download every territory's project figures as CSV."""
    return _csv(None)


@bp.get("/<int:territory_id>")
@territory_admin_required
def show(territory_id: int):
    """Show one territory's cohorts, certification and projects."""
    return _render(_territory_or_404(territory_id))


@bp.get("/<int:territory_id>/export.csv")
@territory_admin_required
def show_csv(territory_id: int):
    """Download one territory's project figures as CSV."""
    return _csv(_territory_or_404(territory_id))
