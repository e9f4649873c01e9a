"""Dates, times and file sizes as a reader of the interface's language writes them.

Installed as the templates' ``dateformat``, ``datetimeformat`` and ``filesize`` filters (the
first two replace Flask-Babel's, with the same arguments), in the user's time zone:

- French writes the first day of a month « 1er » when the month is a word: « 1er septembre
  2026 », « 1er sept. », but « 01/09/2026 »;
- a time is hours and minutes, never seconds: « 1er sept. 2026, 09:00 », "Sep 1, 2026, 9:00 AM";
- a size is in the language's units with its decimal sign: « 0,6 ko », "0.6 kB" (1 kB = 1000
  bytes; bytes below 100);
- a percentage has the language's sign and spacing: « 80 % » (a narrow no-break space), "80%";
- hours have the language's decimal sign: « 10,5 h », "10.5 h".
"""

from __future__ import annotations

import re
from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_percent
from flask import Flask
from flask_babel import get_locale, to_user_timezone
from flask_babel import gettext as _

STYLES = ("short", "medium", "long", "full")
# A lone "1" followed by a word: the day, in a date whose month is written out.
_FIRST_DAY = re.compile(r"(?<![\d/.:-])1(?=\s+[^\d\s])")


def format_day(value: date | datetime, style: str = "medium") -> str:
    """Return the date (of a moment, in the user's time zone) in ``style`` or a CLDR pattern."""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    locale = get_locale() or Locale.parse("en")
    text = format_date(value, format=style, locale=locale)
    if locale.language == "fr" and value.day == 1:
        text = _FIRST_DAY.sub("1er", text, count=1)
    return text


def format_moment(value: datetime, style: str = "medium") -> str:
    """Return the date and time (hours and minutes) of a moment, in the user's time zone."""
    moment = to_user_timezone(value)
    locale = get_locale() or Locale.parse("en")
    clock = format_time(moment, format="short", locale=locale)
    combined = locale.datetime_formats.get(style if style in STYLES else "medium")
    return str(combined).replace("{1}", format_day(moment, style)).replace("{0}", clock)


def format_size(size: int) -> str:
    """Return a number of bytes in kilobytes or megabytes with one decimal (bytes below 100)."""
    locale = get_locale() or Locale.parse("en")
    if size < 100:
        return _("%(size)s B", size=format_decimal(size, locale=locale))
    if size < 1_000_000:
        return _("%(size)s kB", size=format_decimal(size / 1000, "#,##0.#", locale=locale))
    return _("%(size)s MB", size=format_decimal(size / 1_000_000, "#,##0.#", locale=locale))


def format_percent(percent: int) -> str:
    """Return a whole percentage (``80``) as the reader writes it: « 80 % », "80%"."""
    locale = get_locale() or Locale.parse("en")
    return babel_percent(percent / 100, locale=locale)


def format_hours(minutes: int) -> str:
    """Return a number of minutes in hours, with at most one decimal: « 10,5 h », "10.5 h"."""
    locale = get_locale() or Locale.parse("en")
    return _("%(hours)s h", hours=format_decimal(minutes / 60, "#,##0.#", locale=locale))


def install_filters(app: Flask) -> None:
    """Make the templates' date, time, size, percentage and hours filters these."""
    app.jinja_env.filters.update(
        dateformat=format_day,
        datetimeformat=format_moment,
        filesize=format_size,
        percent=format_percent,
        hours=format_hours,
    )
