"""Helpers for the assessments' loader tests: a valid definition with assessments, row counts."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy import func

from lms.extensions import db
from tests.curriculum.support import CURRICULUM_TABLES

DATA_FILE = Path(__file__).parent / "data" / "path-with-assessments.toml"
ASSESSMENT_DEFINITION_TABLES = (
    "rubrics",
    "criteria",
    "rubric_levels",
    "assessments",
    "questions",
    "question_options",
)


def assessments_text() -> str:
    """Return the small valid definition with rubrics and assessments of every kind."""
    return DATA_FILE.read_text(encoding="utf-8")


def assessments_document() -> dict[str, Any]:
    """Return that definition as a TOML document to mutate."""
    return copy.deepcopy(tomllib.loads(assessments_text()))


def all_row_counts() -> dict[str, int]:
    """Count the rows of every curriculum and assessment-definition table."""
    tables = db.metadata.tables
    return {
        name: db.session.scalar(db.select(func.count()).select_from(tables[name]))
        for name in CURRICULUM_TABLES + ASSESSMENT_DEFINITION_TABLES
    }
