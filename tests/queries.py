"""Counting the SQL statements a block of code sends (query budgets, PERFORMANCE.md)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from lms.accounts import sessions
from lms.extensions import db


class QueryCounter:
    """Count the SQL statements sent to the database inside a ``with`` block.

    Meanwhile no session's last-seen time is written: it is written at most once a minute, so
    a page measured after a set-up longer than that (200 learners on a busy machine) would pay
    it whatever its size, and a budget test would fail for the clock, not for the page.
    """

    def __init__(self) -> None:
        self.statements: list[str] = []
        self._touch_interval = sessions.TOUCH_INTERVAL

    @property
    def count(self) -> int:
        return len(self.statements)

    def __enter__(self) -> QueryCounter:
        self.statements.clear()
        sessions.TOUCH_INTERVAL = timedelta.max
        event.listen(db.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc_info) -> None:
        event.remove(db.engine, "before_cursor_execute", self._record)
        sessions.TOUCH_INTERVAL = self._touch_interval

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)
