"""Counting the SQL statements a block of code sends (query budgets, PERFORMANCE.md)."""

from __future__ import annotations

from sqlalchemy import event

from lms.extensions import db


class QueryCounter:
    """Count the SQL statements sent to the database inside a ``with`` block."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __enter__(self) -> QueryCounter:
        self.statements.clear()
        event.listen(db.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc_info) -> None:
        event.remove(db.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)
