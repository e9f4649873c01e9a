"""How a figure reads: localised numbers (« 80,0 % », « 3,80 / 5 », « 31,0 h »).

Registered as the template filters ``figure_short`` (the value alone, for charts and the public
page) and ``figure_text`` (with its numerator and denominator, or how many answered).
"""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal, format_percent
from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _

from lms.quality.indicators.rows import COUNT, HOURS, MEAN, PERCENT, Row


def _locale() -> Locale:
    return get_locale() or Locale.parse("en")


def figure_short(row: Row) -> str:
    """Return the value alone; "—" when there is none (nothing to compute it on)."""
    if row.value is None:
        return "—"
    locale = _locale()
    if row.unit == PERCENT:
        pattern = locale.percent_formats[None].pattern.replace("#,##0", "#,##0.0", 1)
        return format_percent(row.value / 100, pattern, locale=locale)
    if row.unit == MEAN:
        mean = format_decimal(row.value, "#,##0.00", locale=locale)
        return _("%(mean)s / %(top)d", mean=mean, top=row.scale_top or 0)
    if row.unit == HOURS:
        return _("%(hours)s h", hours=format_decimal(row.value, "#,##0.0", locale=locale))
    return format_decimal(row.value, "#,##0", locale=locale)


def figure_text(row: Row) -> str:
    """Return the value with what it was computed from."""
    short = figure_short(row)
    if row.unit == PERCENT and row.denominator and row.in_minutes:
        locale = _locale()
        return _(
            "%(value)s (%(attended)s h of %(held)s h)",
            value=short,
            attended=format_decimal((row.numerator or 0) / 60, "#,##0.#", locale=locale),
            held=format_decimal(row.denominator / 60, "#,##0.#", locale=locale),
        )
    if row.unit == PERCENT and row.denominator:
        return _(
            "%(value)s (%(numerator)d of %(denominator)d)",
            value=short,
            numerator=row.numerator or 0,
            denominator=row.denominator,
        )
    if row.unit == MEAN and row.value is not None:
        return _("%(value)s (%(count)d answers)", value=short, count=row.people)
    return short


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(figure_short)
    app.add_template_filter(figure_text)


__all__ = ["COUNT", "figure_short", "figure_text", "init_app"]
