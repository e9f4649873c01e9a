"""CSV exports that spreadsheets open safely and correctly.

Every export has one format: UTF-8 with a byte-order mark (Excel then detects the encoding and
keeps the accents), comma separators, CRLF line ends and quoting as RFC 4180 describes. A comma,
not a semicolon, because it is the standard that scripts and LibreOffice read without asking;
French Excel users open the file through Data > From Text/CSV, which honours the comma.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab, carriage
return or line feed before one) as a formula: a learner named ``=HYPERLINK(...)`` would turn an
export into a phishing link. Such text cells are prefixed with a single quote, which makes them
plain text (OWASP "CSV injection"). Numbers are written as they are: ``-3`` is a value.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from flask import Response, stream_with_context

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
ROWS_PER_CHUNK = 200


def spreadsheet_safe(value: object) -> str:
    """Return ``value`` as the text of a cell that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_lines(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """Yield the export of ``rows`` (header included) in chunks, byte-order mark first."""
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for count, row in enumerate(rows, start=1):
        writer.writerow([spreadsheet_safe(value) for value in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def attachment(filename: str) -> str:
    """Return the Content-Disposition of a download named ``filename`` (RFC 6266)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    # No quote, backslash or control character may end the header value early.
    ascii_name = "".join("_" if c in '"\\' or not c.isprintable() else c for c in ascii_name)
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def csv_response(rows: Iterable[Sequence[object]], filename: str) -> Response:
    """Stream ``rows`` (the first one being the header) as a CSV attachment named ``filename``."""
    response = Response(
        stream_with_context(csv_lines(rows)), content_type="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = attachment(filename)
    response.headers["Cache-Control"] = "no-store"  # exports hold private data
    return response
