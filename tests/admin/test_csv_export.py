"""Spreadsheet-safe CSV exports (lms.core.csv)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from lms.core.csv import ROWS_PER_CHUNK, csv_response, spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\n=1+1", "'\n=1+1"),
        ("Zoé = 1", "Zoé = 1"),
        ("a-b", "a-b"),
        ("", ""),
        (None, ""),
        (-3, "-3"),
        (Decimal("-1.5"), "-1.5"),
        (2.5, "2.5"),
        (True, "true"),
        (date(2025, 3, 1), "2025-03-01"),
        (datetime(2025, 3, 1, 9, 30, tzinfo=UTC), "2025-03-01T09:30:00+00:00"),
    ],
)
def test_spreadsheet_safe(value, cell):
    assert spreadsheet_safe(value) == cell


def test_csv_response_streams_utf8_with_bom_and_escapes_every_cell(app):
    rows = [("name", "note"), ("Zoé", "=1+1"), ('Bob, "Jr"', "line\nbreak")]
    with app.test_request_context():
        response = csv_response(iter(rows), "export é.csv")
        assert response.is_streamed
        body = b"".join(response.iter_encoded())
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''export%20%C3%A9.csv" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "note"],
        ["Zoé", "'=1+1"],
        ['Bob, "Jr"', "line\nbreak"],
    ]


def test_csv_response_sends_large_exports_in_chunks(app):
    rows = [("n",), *((index,) for index in range(ROWS_PER_CHUNK * 2 + 5))]
    with app.test_request_context():
        chunks = list(csv_response(rows, "n.csv").iter_encoded())
    assert len(chunks) >= 3
    assert b"".join(chunks).decode("utf-8-sig").count("\r\n") == ROWS_PER_CHUNK * 2 + 6


def test_download_names_cannot_break_the_header(app):
    with app.test_request_context():
        disposition = csv_response([], 'a"b\r\nSet-Cookie: x.csv').headers["Content-Disposition"]
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert disposition.startswith('attachment; filename="a_b__Set-Cookie: x.csv"')
