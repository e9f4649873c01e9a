"""A session's length in whole minutes, in SQL, on SQLite and PostgreSQL alike.

``TrainingSession.minutes`` floors the duration to whole minutes; so does this expression (the
seconds rounded first, so that SQLite's floating-point days never lose a minute).
"""

from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class minutes_between(FunctionElement):
    """Whole minutes from the first timestamp to the second."""

    type = Integer()
    inherit_cache = True
    name = "minutes_between"


@compiles(minutes_between)
def _minutes_postgresql(element, compiler, **kw) -> str:
    starts, ends = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({ends} - {starts})) / 60) AS INTEGER)"


@compiles(minutes_between, "sqlite")
def _minutes_sqlite(element, compiler, **kw) -> str:
    starts, ends = (compiler.process(clause, **kw) for clause in element.clauses)
    seconds = f"CAST(ROUND((julianday({ends}) - julianday({starts})) * 86400) AS INTEGER)"
    return f"({seconds} / 60)"
