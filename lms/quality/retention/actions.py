"""What the purge does to one row: erase columns, delete the row, delete stored files.

An ``Action`` names its table, its row and the columns it changes (only those whose value
actually changes), never the values it erases: the same object is printed by ``lms purge
--dry-run``, applied by ``lms purge`` and counted in the audit log. The new values are blanks
and placeholders that depend on the row's id only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Placeholders written in place of a person's name and e-mail (``.invalid``: RFC 2606, never
# delivered). They are data, in the organisation's language, like the names they replace.
ANONYMOUS_NAME = "Personne anonymisée"


def anonymous_name(user_id: int) -> str:
    """Return the name an anonymised account goes by."""
    return f"{ANONYMOUS_NAME} n° {user_id}"


def anonymous_email(kind: str, row_id: int) -> str:
    """Return a unique, undeliverable address for an anonymised row (lower case)."""
    return f"{kind}-{row_id}@anonymise.invalid"


@dataclass(frozen=True)
class StoredFileRef:
    """A stored file: the instance's folder (``uploads``, ``attendance``…) and its key."""

    folder: str
    key: str

    def __str__(self) -> str:
        return f"{self.folder}/{self.key}"


@dataclass(frozen=True)
class Action:
    """One row the purge changes, and how."""

    rule: str
    table: str
    row_id: int
    # Columns set, in order, with their new value (a blank or a placeholder, None for NULL).
    values: tuple[tuple[str, Any], ...] = ()
    delete: bool = False
    files: tuple[StoredFileRef, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(column for column, _ in self.values)

    def describe(self) -> str:
        """Return the line printed for this action (no erased value in it)."""
        parts = ["delete row"] if self.delete else []
        if self.values:
            parts.append("erase " + ", ".join(self.columns))
        parts.extend(f"delete file {file}" for file in self.files)
        return f"[{self.rule}] {self.table} {self.row_id}: " + "; ".join(parts)


def erase(
    rule: str, row: Any, targets: Mapping[str, Any], files: tuple[StoredFileRef, ...] = ()
) -> Action | None:
    """Return the action setting ``targets`` on ``row`` where they differ (None: nothing to do)."""
    values = tuple(
        (column, value) for column, value in targets.items() if getattr(row, column) != value
    )
    if not values and not files:
        return None
    return Action(rule, row.__tablename__, row.id, values=values, files=files)


def delete(rule: str, row: Any, files: tuple[StoredFileRef, ...] = ()) -> Action:
    """Return the action deleting ``row`` (and its stored files)."""
    return Action(rule, row.__tablename__, row.id, delete=True, files=files)
