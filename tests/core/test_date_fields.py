"""Every date and time field of every form refuses what it cannot store, with a field error.

The fields are found by introspection: every form class defined in ``lms`` (imported module by
module) and every date or time field it declares. A new date field is covered without
touching this file; a new kind of date field (a month, say) makes the test fail until someone
decides what it must refuse. A bare time of day (an arrival time on an attendance sheet) has no
year and no day: it refuses what is not a time; its day comes from what it belongs to.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, date, datetime, time

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.fields import DateField, DateTimeField, DateTimeLocalField, TimeField
from wtforms.fields.core import UnboundField

import lms

# Values that no date field may store: Python's first and last years, and beyond any plan.
OUT_OF_RANGE_DAYS = ("0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31")
OUT_OF_RANGE_TIMES = (
    "0001-01-01T00:00",
    "1999-12-31T23:59",
    "2101-01-01T00:00",
    "9999-12-31T23:59",
)
# Europe/Paris: clocks jump from 02:00 to 03:00 on 29 March 2026, and go back from 03:00 to
# 02:00 on 25 October 2026.
SKIPPED_TIMES = ("2026-03-29T02:00", "2026-03-29T02:30", "2026-03-29T02:59")
REPEATED_TIMES = ("2026-10-25T02:00", "2026-10-25T02:30", "2026-10-25T02:59")
NOT_DATES = ("demain", "2026-02-30", "2026-13-01", "2026-01-01T25:00", "１２３")
NOT_TIMES = ("demain", "25:00", "12:60", "9h30", "-1:00", "")


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


def form_classes() -> list[type[Form]]:
    """Import every module of ``lms`` and return the form classes they define."""
    for module in pkgutil.walk_packages(lms.__path__, "lms."):
        importlib.import_module(module.name)
    return sorted(
        (cls for cls in _all_subclasses(Form) if cls.__module__.startswith("lms.")),
        key=lambda cls: (cls.__module__, cls.__qualname__),
    )


def date_fields() -> list[tuple[str, UnboundField]]:
    """Return every date or time field declared by a form of ``lms``, named form.field."""
    fields = {}
    for cls in form_classes():
        for name in dir(cls):
            value = getattr(cls, name, None)
            if isinstance(value, UnboundField) and issubclass(value.field_class, DateTimeField):
                fields[f"{cls.__module__}.{cls.__qualname__}.{name}"] = value
    return sorted(fields.items())


def kind(unbound: UnboundField) -> str:
    """Say whether a field takes a day, a local date and time, a time of day, or else."""
    if issubclass(unbound.field_class, TimeField):
        return "time"
    if issubclass(unbound.field_class, DateTimeLocalField):
        return "datetime"
    if issubclass(unbound.field_class, DateField) and unbound.field_class.__name__ != "MonthField":
        return "date"
    return "other"


DATE_FIELDS = date_fields()
TIME_FIELDS = [(name, unbound) for name, unbound in DATE_FIELDS if kind(unbound) == "datetime"]
CLOCK_FIELDS = [(name, unbound) for name, unbound in DATE_FIELDS if kind(unbound) == "time"]
DATE_FIELDS = [(name, unbound) for name, unbound in DATE_FIELDS if kind(unbound) != "time"]


def submit(unbound: UnboundField, value: str):
    """Validate ``value`` in the field alone; return the bound field."""
    probe = type("Probe", (Form,), {"when": unbound})(formdata=MultiDict({"when": value}))
    probe.validate()
    return probe.when


@pytest.mark.parametrize(("name", "unbound"), DATE_FIELDS, ids=[name for name, _ in DATE_FIELDS])
def test_every_date_field_is_a_day_or_a_local_date_and_time(name, unbound):
    assert kind(unbound) != "other", f"{name}: decide what this kind of date field refuses"


def test_the_forms_date_fields_are_all_found():
    names = {name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1] for name, _ in DATE_FIELDS}
    assert {
        "CohortForm.starts_on",
        "CohortForm.ends_on",
        "ModuleDatesForm.opens_at",
        "ModuleDatesForm.session_ends_at",
        "ExtensionForm.due_at",
        "AuditFilterForm.date_from",
        "AuditFilterForm.date_to",
    } <= names


@pytest.mark.parametrize(("name", "unbound"), DATE_FIELDS, ids=[name for name, _ in DATE_FIELDS])
def test_every_date_field_refuses_days_out_of_range(app, name, unbound):
    values = OUT_OF_RANGE_TIMES if kind(unbound) == "datetime" else OUT_OF_RANGE_DAYS
    with app.test_request_context():
        for value in values:
            field = submit(unbound, value)
            assert field.data is None, value
            assert field.errors == ["Enter a date between the years 2000 and 2100."], value


@pytest.mark.parametrize(("name", "unbound"), DATE_FIELDS, ids=[name for name, _ in DATE_FIELDS])
def test_every_date_field_refuses_what_is_not_a_date(app, name, unbound):
    with app.test_request_context():
        for value in NOT_DATES:
            field = submit(unbound, value)
            assert field.data is None, value
            assert len(field.errors) == 1, value
            assert field.errors[0].startswith("Not a valid date"), value


@pytest.mark.parametrize(("name", "unbound"), TIME_FIELDS, ids=[name for name, _ in TIME_FIELDS])
def test_every_local_time_field_refuses_times_the_clocks_skip_or_repeat(app, name, unbound):
    with app.test_request_context():
        for value in SKIPPED_TIMES:
            field = submit(unbound, value)
            assert field.data is None, value
            assert field.errors == [
                "This time does not exist in Europe/Paris: the clocks skip it when they go "
                "forward. Choose a time outside the skipped hour."
            ], value
        for value in REPEATED_TIMES:
            field = submit(unbound, value)
            assert field.data is None, value
            assert field.errors == [
                "This time happens twice in Europe/Paris, when the clocks go back: choose a "
                "time outside the repeated hour."
            ], value


@pytest.mark.parametrize(("name", "unbound"), DATE_FIELDS, ids=[name for name, _ in DATE_FIELDS])
def test_every_date_field_keeps_a_valid_value(app, name, unbound):
    with app.test_request_context():
        if kind(unbound) == "date":
            assert submit(unbound, "2100-12-31").data == date(2100, 12, 31)
            assert submit(unbound, "2000-01-01").data == date(2000, 1, 1)
            return
        # Local time in Paris, kept in UTC: summer (+2), winter (+1), around both changes.
        for value, expected in (
            ("2026-07-14T10:00", datetime(2026, 7, 14, 8, tzinfo=UTC)),
            ("2026-01-05T09:00", datetime(2026, 1, 5, 8, tzinfo=UTC)),
            ("2026-03-29T03:00", datetime(2026, 3, 29, 1, tzinfo=UTC)),
            ("2026-03-29T01:59", datetime(2026, 3, 29, 0, 59, tzinfo=UTC)),
            ("2026-10-25T03:00", datetime(2026, 10, 25, 2, tzinfo=UTC)),
            ("2026-10-25T01:59", datetime(2026, 10, 24, 23, 59, tzinfo=UTC)),
            ("2000-01-01T00:00", datetime(1999, 12, 31, 23, tzinfo=UTC)),
            ("2100-12-31T23:59", datetime(2100, 12, 31, 22, 59, tzinfo=UTC)),
        ):
            field = submit(unbound, value)
            assert field.errors == [], value
            assert field.data == expected, value
            assert field.data.utcoffset().total_seconds() == 0, value


@pytest.mark.parametrize(("name", "unbound"), CLOCK_FIELDS, ids=[name for name, _ in CLOCK_FIELDS])
def test_every_time_of_day_field_refuses_what_is_not_a_time_and_keeps_a_time(app, name, unbound):
    with app.test_request_context():
        for value in NOT_TIMES:
            field = submit(unbound, value)
            assert field.data is None, value
            if value:  # empty: the field is optional (its form decides whether it is needed)
                assert len(field.errors) == 1, value
        assert submit(unbound, "09:25").data == time(9, 25)
        assert submit(unbound, "23:59").data == time(23, 59)


def test_the_forms_time_of_day_fields_are_all_found():
    names = {name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1] for name, _ in CLOCK_FIELDS}
    assert {"MarkForm.arrived_at", "CorrectionForm.arrived_at"} <= names
