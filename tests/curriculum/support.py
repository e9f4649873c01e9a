"""Helpers for the curriculum tests: a small valid definition and ways to break it."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from sqlalchemy import func

from lms.extensions import db

VALID_FILE = Path(__file__).parent / "data" / "valid-path.toml"
CURRICULUM_TABLES = (
    "training_paths",
    "proficiency_levels",
    "competency_blocks",
    "competencies",
    "modules",
    "module_prerequisites",
    "module_competencies",
    "lessons",
)


def valid_text() -> str:
    """Return the text of the small valid definition (4 modules, a diamond of prerequisites)."""
    return VALID_FILE.read_text(encoding="utf-8")


def valid_document() -> dict[str, Any]:
    """Return the small valid definition as a TOML document to mutate."""
    return copy.deepcopy(tomllib.loads(valid_text()))


def to_toml(document: dict[str, Any]) -> str:
    """Write a (mutated) document back to TOML text."""
    return tomli_w.dumps(document, multiline_strings=True)


def replaced(text: str, old: str, new: str) -> str:
    """Replace ``old`` once in ``text``, failing loudly when it is not there."""
    assert old in text, f"{old!r} is not in the text"
    return text.replace(old, new, 1)


def row_counts() -> dict[str, int]:
    """Count the rows of every curriculum table."""
    tables = db.metadata.tables
    return {
        name: db.session.scalar(db.select(func.count()).select_from(tables[name]))
        for name in CURRICULUM_TABLES
    }
