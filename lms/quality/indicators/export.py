"""The indicators as CSV: one figure a row, the same rows as the page (formula-safe cells).

Columns: ``period_from``, ``period_to``, ``indicator`` (a code of ``rows.INDICATORS``), ``key``
(the row's own code), ``label``, ``unit`` (``percent``, ``count``, ``hours``, ``mean``),
``numerator``, ``denominator``, ``value``, ``scale_top`` (means only) and ``people`` (how many
people the figure was computed on). ``public_csv_rows`` writes the public version: a figure
computed on fewer than 5 people has an empty value, numerator and denominator, and
``hidden`` = ``yes``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lms.quality.indicators.rows import Row
from lms.quality.indicators.scope import Period

HEADER = (
    "period_from",
    "period_to",
    "indicator",
    "key",
    "label",
    "unit",
    "numerator",
    "denominator",
    "value",
    "scale_top",
    "people",
)


def _blank(value) -> object:
    return "" if value is None else value


def csv_rows(rows: Iterable[Row], period: Period) -> Iterator[tuple]:
    """Yield the header, then one line per row (the staff's export: every value)."""
    yield HEADER
    for row in rows:
        yield (
            period.starts_on.isoformat(),
            period.ends_on.isoformat(),
            row.indicator,
            row.key,
            row.label,
            row.unit,
            _blank(row.numerator),
            _blank(row.denominator),
            _blank(row.value),
            _blank(row.scale_top),
            row.people,
        )


def public_csv_rows(rows: Iterable[Row], period: Period, path_code: str) -> Iterator[tuple]:
    """Yield the public version: values computed on fewer than 5 people left out."""
    yield ("path", *HEADER, "hidden")
    for row in rows:
        hidden = row.hidden
        yield (
            path_code,
            period.starts_on.isoformat(),
            period.ends_on.isoformat(),
            row.indicator,
            row.key,
            row.label,
            row.unit,
            "" if hidden else _blank(row.numerator),
            "" if hidden else _blank(row.denominator),
            "" if hidden else _blank(row.value),
            _blank(row.scale_top),
            row.people if not hidden else "",
            "yes" if hidden else "no",
        )
