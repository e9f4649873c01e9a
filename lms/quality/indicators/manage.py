"""The staff's indicators page, its CSV, and the publication's choice (blueprint
``quality_indicators``).

- ``/admin/quality/indicators``: central administrators see every territory, local administrators
  their territories only (``lms.organisations.filters``: another territory's code is a 404);
  filters path, territory, cohort and period (default: the last calendar year). A bad filter is
  answered 400 with its message beside the field, and no figure;
- ``/admin/quality/indicators.csv``: the same figures, one a row;
- ``/admin/quality/indicators/publication``: central administrators choose what the public page
  shows, per path and year.

Trainers do not reach these pages: the figures add up cohorts and territories, and a trainer
already follows their own cohorts on its progress, attendance and certification pages.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from lms.accounts.permissions import acting_user, admin_required
from lms.cohorts.models import Cohort, CohortState
from lms.core.csv import csv_response
from lms.core.time import local_today
from lms.core.transactions import unit_of_work
from lms.curriculum.models import TrainingPath
from lms.extensions import db
from lms.organisations.access import territory_admin_required
from lms.organisations.filters import TerritoryFilter, territory_filter
from lms.quality.indicators.chart import layout_chart
from lms.quality.indicators.export import csv_rows
from lms.quality.indicators.figures import indicators
from lms.quality.indicators.forms import FilterForm, PublicationForm, last_year
from lms.quality.indicators.models import PublishedIndicator
from lms.quality.indicators.rows import INDICATORS, MEAN, PERCENT, indicator_rows
from lms.quality.indicators.scope import Scope
from lms.quality.indicators.services import IndicatorError, PublicationConflict, set_publication

bp = Blueprint("quality_indicators", __name__, url_prefix="/admin/quality")


def _cohorts(territories: TerritoryFilter) -> list[Cohort]:
    """Return the cohorts the person may filter on, with their paths (one query)."""
    query = (
        db.select(Cohort)
        .options(joinedload(Cohort.path))
        .where(Cohort.state != CohortState.DRAFT)
        .order_by(Cohort.starts_on.desc(), Cohort.name)
    )
    ids = territories.territory_ids
    if ids is not None:
        query = query.where(Cohort.territory_id.in_(ids))
    return list(db.session.scalars(query))


def _filters() -> tuple[FilterForm, TerritoryFilter, Scope | None]:
    """Read the filters; return the scope asked, or None when a filter is wrong."""
    territories = territory_filter()
    cohorts = _cohorts(territories)
    form = FilterForm(formdata=request.args)
    paths: dict[str, str] = {}
    for cohort in cohorts:
        paths.setdefault(cohort.path.code, cohort.path.title)
    form.path.choices = [("", _("Every path")), *sorted(paths.items(), key=lambda item: item[1])]
    form.cohort.choices = [("", _("Every cohort"))] + [
        (str(cohort.id), cohort.name) for cohort in cohorts
    ]
    if not form.validate():
        return form, territories, None
    ids = territories.territory_ids
    period = form.period()
    form.date_from.data, form.date_to.data = period.starts_on, period.ends_on  # shown as used
    scope = Scope(
        period,
        path_code=form.path.data or None,
        territory_ids=tuple(ids) if ids is not None else None,
        cohort_id=int(form.cohort.data) if form.cohort.data else None,
    )
    return form, territories, scope


def _presets() -> list[tuple[str, dict[str, str]]]:
    """Return the period shortcuts: the last calendar year, this year, the last 12 months."""
    today = local_today()
    last = last_year()
    return [
        (
            _("Last calendar year (%(year)d)", year=last.starts_on.year),
            {"date_from": last.starts_on.isoformat(), "date_to": last.ends_on.isoformat()},
        ),
        (
            _("This year so far"),
            {"date_from": f"{today.year}-01-01", "date_to": today.isoformat()},
        ),
        (
            _("Last 12 months"),
            {
                "date_from": today.replace(year=today.year - 1).isoformat()
                if not (today.month == 2 and today.day == 29)
                else f"{today.year - 1}-03-01",
                "date_to": today.isoformat(),
            },
        ),
    ]


def _kept_args(territories: TerritoryFilter) -> dict[str, str]:
    """Return the filters of the request, to keep them in the page's links."""
    kept = {key: value for key, value in request.args.items() if key != "territory" and value}
    return {**kept, **territories.args}


@bp.get("/indicators")
@territory_admin_required
def page():
    """Show every indicator of the scope asked, with its numerator and denominator."""
    form, territories, scope = _filters()
    rows = list(indicator_rows(indicators(scope))) if scope else []
    rates = [row for row in rows if row.unit == PERCENT and row.value is not None]
    means = [row for row in rows if row.unit == MEAN and row.value is not None]
    return (
        render_template(
            "quality/indicators/page.html",
            form=form,
            territories=territories,
            scope=scope,
            rows=rows,
            rates_chart=layout_chart(rates) if rates else None,
            means_chart=layout_chart(means) if means else None,
            definitions=INDICATORS,
            presets=_presets(),
            args=_kept_args(territories),
        ),
        200 if scope else 400,
    )


@bp.get("/indicators.csv")
@territory_admin_required
def export():
    """Download the figures of the page, one a row (same filters)."""
    _form, _territories, scope = _filters()
    if scope is None:
        return page()
    rows = indicator_rows(indicators(scope))
    period = scope.period
    filename = f"indicators-{period.starts_on.isoformat()}-{period.ends_on.isoformat()}.csv"
    return csv_response(csv_rows(rows, period), filename)


def _path_choices() -> list[SelectChoice]:
    query = (
        db.select(TrainingPath.code, func.max(TrainingPath.title))
        .group_by(TrainingPath.code)
        .order_by(TrainingPath.code)
    )
    return [SelectChoice(code, f"{title} ({code})") for code, title in db.session.execute(query)]


def _publications() -> list[tuple[str, int, list[str]]]:
    """Return (path code, year, indicator codes) of every publication, newest year first."""
    rows = db.session.execute(
        db.select(
            PublishedIndicator.path_code, PublishedIndicator.year, PublishedIndicator.indicator
        ).order_by(PublishedIndicator.year.desc(), PublishedIndicator.path_code)
    ).all()
    grouped: dict[tuple[str, int], list[str]] = {}
    for path_code, year, indicator in rows:
        grouped.setdefault((path_code, year), []).append(indicator)
    order = list(INDICATORS)
    return [
        (path_code, year, sorted(codes, key=order.index))
        for (path_code, year), codes in grouped.items()
    ]


@bp.route("/indicators/publication", methods=["GET", "POST"])
@admin_required
def publication():
    """Choose which indicators of a path and a year the public page shows."""
    form = PublicationForm()
    form.path.choices = _path_choices()
    conflict = False
    if request.method == "GET":
        first = form.path.choices[0].value if form.path.choices else ""
        path = request.args.get("path") or first
        year = request.args.get("year", type=int) or last_year().starts_on.year
        form.path.data, form.year.data = path, year
        form.indicators.data = list(
            db.session.scalars(
                db.select(PublishedIndicator.indicator).filter_by(path_code=path, year=year)
            )
        )
    elif form.validate_on_submit():
        here = url_for(".publication", path=form.path.data, year=form.year.data)
        try:
            with unit_of_work():
                added, removed = set_publication(
                    form.path.data, form.year.data, form.indicators.data or [], actor=acting_user()
                )
        except IndicatorError as error:
            form.indicators.errors = [str(error)]
            conflict = isinstance(error, PublicationConflict)
        else:
            if added or removed:
                flash(_("The publication is saved; the public page shows it now."), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(here)
    status = 409 if conflict else 400 if form.errors else 200
    return (
        render_template(
            "quality/indicators/publication.html",
            form=form,
            publications=_publications(),
            definitions=INDICATORS,
            path_titles={choice.value: choice.label for choice in form.path.choices},
        ),
        status,
    )
