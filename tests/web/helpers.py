"""Helpers for tests that go through pages: log in, look for translated text, count queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import event

from lms.extensions import db
from tests.factories import DEFAULT_PASSWORD


def log_in(client, user, password: str = DEFAULT_PASSWORD):
    """Log ``user`` in through the login form (with its CSRF token when on); return the answer."""
    data = {"email": user.email, "password": password}
    if client.application.config["WTF_CSRF_ENABLED"]:
        data["csrf_token"] = csrf_token_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data=data)


def text(msgid: str, **variables) -> str:
    """Return a message as a page shows a value: translated, then HTML-escaped.

    Form errors and flashed messages are escaped like this; a message written directly in a
    template (``{{ _("...") }}`` with no variables) is not, so compare those with ``gettext``.
    """
    return str(escape(gettext(msgid, **variables)))


def form_errors(html: str) -> str:
    """Return the messages of the form-level error box of a page ('' when there is none)."""
    match = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', html, re.S)
    return " ".join(re.findall(r"<p>(.*?)</p>", match.group(1), re.S)) if match else ""


def csrf_token_of(html: str) -> str:
    """Return the first CSRF token rendered in a page."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block, starting like a fresh request would."""
    statements: list[str] = []
    db.session.expire_all()  # no object cached from an earlier request or from the test

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
