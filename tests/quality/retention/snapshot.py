"""Every row of every table and every stored file, to compare an instance before and after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app

from lms.core import storage
from lms.extensions import db
from lms.operations.files import storage_folders

Row = dict[str, Any]


def rows() -> dict[tuple[str, Any], Row]:
    """Return every row, keyed by (table, primary key)."""
    found: dict[tuple[str, Any], Row] = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            keys = [column.name for column in table.primary_key.columns]
            for row in connection.execute(table.select()).mappings():
                key = row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)
                found[(table.name, key)] = dict(row)
    return found


def files() -> set[str]:
    """Return every stored file of the instance as ``folder/key``."""
    instance = Path(current_app.instance_path)
    return {
        f"{folder}/{key}"
        for folder in storage_folders(instance)
        for key in storage.stored_keys(instance / folder)
    }


def changes(before: dict, after: dict) -> set[str]:
    """Describe what changed, in the purge's own words (``table id: erase a, b`` …)."""
    found = set()
    for (table, key), row in before.items():
        if (table, key) not in after:
            found.add(f"{table} {key}: delete row")
            continue
        changed = [column for column, value in row.items() if after[(table, key)][column] != value]
        if changed:
            found.add(f"{table} {key}: erase " + ", ".join(sorted(changed)))
    found.update(f"{table} {key}: new row" for table, key in after.keys() - before.keys())
    return found
