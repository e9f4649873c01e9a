"""The public results page (blueprint ``public_results``): what the organisation publishes.

No login. For one path and one calendar year (``?path=<code>&year=<year>``; by default the most
recent publication), the indicators the organisation chose to publish (``PublishedIndicator``),
aggregated over every territory and cohort, with the period and the number of people each figure
was computed on; a figure computed on fewer than 5 people says so and never shows its value —
not in the page, its chart, the CSV (``/results.csv``) or the JSON (``/results.json``).
An unknown path or year, or one with nothing published, is a 404 with the publications offered.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request

from lms.core.csv import csv_response
from lms.curriculum.models import TrainingPath
from lms.extensions import db
from lms.quality.indicators.chart import layout_chart
from lms.quality.indicators.export import public_csv_rows
from lms.quality.indicators.figures import indicators
from lms.quality.indicators.models import PublishedIndicator
from lms.quality.indicators.rows import INDICATORS, MINIMUM_PEOPLE, PERCENT, indicator_rows
from lms.quality.indicators.scope import Period, Scope

bp = Blueprint("public_results", __name__)


def _published() -> dict[tuple[str, int], set[str]]:
    """Return (path code, year) -> indicators published, every publication (one query)."""
    found: dict[tuple[str, int], set[str]] = {}
    rows = db.session.execute(
        db.select(
            PublishedIndicator.path_code, PublishedIndicator.year, PublishedIndicator.indicator
        )
    )
    for path_code, year, indicator in rows:
        found.setdefault((path_code, year), set()).add(indicator)
    return found


def _chosen(published: dict[tuple[str, int], set[str]]) -> tuple[str, int] | None:
    """Return the (path, year) asked, or the latest publication; 404 for an unknown one."""
    path = (request.args.get("path") or "").strip()
    year_text = (request.args.get("year") or "").strip()
    if not path and not year_text:
        if not published:
            return None
        return max(published, key=lambda key: (key[1], key[0]))
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    if year is None or (path, year) not in published:
        abort(404)
    return path, year


def _results():
    """Return (publications, chosen, period, rows shown) of the request."""
    published = _published()
    chosen = _chosen(published)
    if chosen is None:
        return published, None, None, []
    path_code, year = chosen
    period = Period.year(year)
    codes = published[chosen]
    rows = [
        row
        for row in indicator_rows(indicators(Scope(period, path_code=path_code)))
        if row.indicator in codes
    ]
    return published, chosen, period, rows


def _path_titles(codes: set[str]) -> dict[str, str]:
    """Return path code -> the title of its latest version (one query)."""
    query = (
        db.select(TrainingPath.code, TrainingPath.title)
        .where(TrainingPath.code.in_(codes))
        .order_by(TrainingPath.version)
    )
    return dict(db.session.execute(query).tuples().all())


@bp.get("/results")
def page():
    """Show the published indicators of a path and a year (no login)."""
    published, chosen, period, rows = _results()
    rates = [row for row in rows if row.unit == PERCENT and row.value is not None]
    return render_template(
        "quality/indicators/public.html",
        publications=sorted(published, key=lambda key: (-key[1], key[0])),
        path_titles=_path_titles({path for path, _year in published}),
        chosen=chosen,
        period=period,
        rows=rows,
        rates_chart=layout_chart(rates) if rates else None,
        definitions=INDICATORS,
        minimum=MINIMUM_PEOPLE,
    )


@bp.get("/results.csv")
def export():
    """Download the published indicators of a path and a year, figures under 5 people left out."""
    _, chosen, period, rows = _results()
    if chosen is None:
        abort(404)
    path_code, year = chosen
    return csv_response(public_csv_rows(rows, period, path_code), f"results-{path_code}-{year}.csv")


@bp.get("/results.json")
def export_json():
    """Return the published indicators as JSON, figures under 5 people left out."""
    _, chosen, period, rows = _results()
    if chosen is None:
        abort(404)
    path_code, year = chosen
    figures = []
    for row in rows:
        figure = {
            "indicator": row.indicator,
            "key": row.key,
            "label": row.label,
            "unit": row.unit,
            "hidden": row.hidden,
        }
        if row.hidden:
            figure["note"] = f"fewer than {MINIMUM_PEOPLE} people: not published"
        else:
            figure.update(
                value=row.value,
                numerator=row.numerator,
                denominator=row.denominator,
                people=row.people,
            )
            if row.scale_top is not None:
                figure["scale_top"] = row.scale_top
        figures.append(figure)
    return jsonify(
        path=path_code,
        year=year,
        period={"from": period.starts_on.isoformat(), "to": period.ends_on.isoformat()},
        minimum_people=MINIMUM_PEOPLE,
        figures=figures,
    )
