"""Database helpers shared by every domain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, event, select
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database (SQLite drops the offset, so it is restored)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC datetime is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _enable_sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    """Make SQLite enforce foreign keys on every connection, as PostgreSQL always does."""
    module = type(dbapi_connection).__module__
    if module.startswith(("sqlite3", "pysqlite")):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def lock_row_for_update(
    session: Session, model: type[Any], ident: object, *, keys_kept: bool = False
) -> None:
    """Serialise check-then-write sequences on one row until the transaction ends.

    PostgreSQL locks the row (``SELECT ... FOR UPDATE``; ``FOR NO KEY UPDATE`` with
    ``keys_kept``, for writes that change no key: rows referring to this one, inserted by any
    open transaction, then do not block it). SQLite ignores ``FOR UPDATE``: it takes its
    database-wide write lock instead (``BEGIN IMMEDIATE``), unless this transaction already
    wrote, in which case it holds that lock already. Reads made after this call see what the
    previous holder committed.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        session.execute(
            select(model.id).where(model.id == ident).with_for_update(key_share=keys_kept)
        ).scalar_one_or_none()
        return
    driver: Any = connection.connection.driver_connection
    if not driver.in_transaction:  # pysqlite only begins a transaction before a write
        connection.exec_driver_sql("BEGIN IMMEDIATE")
