"""Dates, times and sizes as French and English readers write them (lms.core.formatting)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string
from flask_babel import force_locale

from lms.core.formatting import format_day, format_moment, format_size

# 07:00 UTC is 09:00 in Paris (summer time); the seconds must never show.
FIRST_OF_SEPTEMBER = datetime(2026, 9, 1, 7, 0, 42, tzinfo=UTC)


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


@pytest.mark.usefixtures("request_context")
@pytest.mark.parametrize(
    ("locale", "style", "expected"),
    [
        ("fr", "long", "1er septembre 2026"),
        ("fr", "medium", "1er sept. 2026"),
        ("fr", "full", "mardi 1er septembre 2026"),
        ("fr", "d MMM", "1er sept."),
        ("fr", "short", "01/09/2026"),
        ("en", "long", "September 1, 2026"),
    ],
)
def test_the_first_of_the_month_is_1er_in_french(locale, style, expected):
    with force_locale(locale):
        assert format_day(date(2026, 9, 1), style) == expected


@pytest.mark.usefixtures("request_context")
@pytest.mark.parametrize("day", [11, 21, 31])
def test_other_days_ending_in_1_stay_numbers(day):
    with force_locale("fr"):
        assert format_day(date(2026, 8, day), "long") == f"{day} août 2026"


@pytest.mark.usefixtures("request_context")
@pytest.mark.parametrize(
    ("locale", "style", "expected"),
    [
        ("fr", "medium", "1er sept. 2026, 09:00"),
        ("fr", "short", "01/09/2026 09:00"),
        ("en", "medium", "Sep 1, 2026, 9:00\u202fAM"),
    ],
)
def test_times_show_hours_and_minutes_in_the_users_zone(locale, style, expected):
    with force_locale(locale):
        assert format_moment(FIRST_OF_SEPTEMBER, style) == expected


@pytest.mark.usefixtures("request_context")
@pytest.mark.parametrize(
    ("locale", "size", "expected"),
    [
        ("fr", 42, "42\u00a0o"),
        ("fr", 614, "0,6\u00a0ko"),
        ("fr", 6_144, "6,1\u00a0ko"),
        ("fr", 1_000, "1\u00a0ko"),
        ("fr", 2_500_000, "2,5\u00a0Mo"),
        ("en", 42, "42 B"),
        ("en", 614, "0.6 kB"),
        ("en", 6_144, "6.1 kB"),
        ("en", 2_500_000, "2.5 MB"),
    ],
)
def test_sizes_use_the_languages_units_and_decimal_sign(locale, size, expected):
    with force_locale(locale):
        assert format_size(size) == expected


@pytest.mark.usefixtures("request_context")
def test_templates_use_these_filters():
    template = (
        "{{ moment|datetimeformat('medium') }} · {{ moment|dateformat('long') }}"
        " · {{ 600|filesize }}"
    )
    with force_locale("fr"):
        html = render_template_string(template, moment=FIRST_OF_SEPTEMBER)
    assert html == "1er sept. 2026, 09:00 · 1er septembre 2026 · 0,6\u00a0ko"
