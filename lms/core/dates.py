"""Date and time form fields that only accept what can be stored and read back unambiguously.

Every form of the application takes its dates through these fields (a test finds every date
field of every form and feeds it impossible values):

- ``LocalDateField``: a day, as ``<input type="date">`` sends it.
- ``LocalDateTimeField``: a date and time as ``<input type="datetime-local">`` sends it, read
  in the organisation's timezone (``LMS_DEFAULT_TIMEZONE``, Europe/Paris by default) and kept
  as an aware UTC datetime.

Both refuse, beside the field, a day before 1 January ``EARLIEST_YEAR`` (2000) or after
31 December ``LATEST_YEAR`` (2100): nothing a training organisation plans lies outside, and the
bounds keep every conversion (to UTC, to the next day) far from the years 1 and 9999 where
Python's dates overflow. The date-and-time field also refuses a local time the clocks skip when
they go forward (02:30 on the last Sunday of March in Paris) and one they pass twice when they
go back (02:30 on the last Sunday of October): storing either would be a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from flask_babel import gettext as _
from wtforms import DateField, DateTimeLocalField

from lms.core.time import organisation_timezone

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
# The first format is the one browsers put in and accept back in a datetime-local input.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _year_problem(day: date) -> str | None:
    """Say why a day lies outside the years allowed (None when it does not)."""
    if EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        return None
    return _(
        "Enter a date between the years %(first)d and %(last)d.",
        first=EARLIEST_YEAR,
        last=LATEST_YEAR,
    )


class LocalDateField(DateField):  # type: ignore[misc]  # WTForms has no type hints
    """A day between the years 2000 and 2100."""

    data: date | None

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {"min": f"{EARLIEST_YEAR}-01-01", "max": f"{LATEST_YEAR}-12-31"}
        kwargs["render_kw"] = {**render_kw, **kwargs.get("render_kw", {})}
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse the day, then refuse it outside the years allowed."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Not a valid date: enter the day, month and year.")) from None
        if self.data is not None and (problem := _year_problem(self.data)):
            self.data = None
            raise ValueError(problem)


def local_time_problem(moment: datetime) -> str | None:
    """Say why a local date and time (aware, in its zone) cannot be read as one instant."""
    other = moment.replace(fold=1 - moment.fold)
    if moment.utcoffset() == other.utcoffset():
        return None
    zone = str(moment.tzinfo)
    naive = moment.replace(tzinfo=None)
    if moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) != naive:
        return _(
            "This time does not exist in %(zone)s: the clocks skip it when they go forward. "
            "Choose a time outside the skipped hour.",
            zone=zone,
        )
    return _(
        "This time happens twice in %(zone)s, when the clocks go back: choose a time "
        "outside the repeated hour.",
        zone=zone,
    )


class LocalDateTimeField(DateTimeLocalField):  # type: ignore[misc]  # WTForms has no type hints
    """A date and time typed in the organisation's timezone, kept as an aware UTC datetime."""

    data: datetime | None

    def __init__(
        self,
        label: Any = None,
        validators: Any = None,
        *,
        tz: Callable[[], tzinfo] = organisation_timezone,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("format", DATETIME_FORMATS)
        first, last = f"{EARLIEST_YEAR}-01-01T00:00", f"{LATEST_YEAR}-12-31T23:59"
        kwargs["render_kw"] = {"min": first, "max": last, **kwargs.get("render_kw", {})}
        super().__init__(label, validators, tz=tz, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse the local time, refuse it when out of range or not one instant, keep it in UTC."""
        try:
            super().process_formdata(valuelist)  # self.data: the local time, in the zone ``tz``
        except ValueError:
            message = _("Not a valid date and time: enter the day, month, year and time.")
            raise ValueError(message) from None
        if self.data is None:
            return
        local, self.data = self.data, None
        if local.tzinfo is None:  # ``tz`` gave no zone: the time was typed in UTC
            local = local.replace(tzinfo=UTC)
        if problem := _year_problem(local) or local_time_problem(local):
            raise ValueError(problem)
        self.data = local.astimezone(UTC)
