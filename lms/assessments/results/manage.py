"""The gradebook of a cohort for its trainers and administrators (blueprint ``gradebook``).

Both routes load the cohort through ``staff_cohort_or_403`` (``lms.cohorts.access``): trainers
of that cohort and administrators get in, other people 403, anonymous visitors the login page.
Unreleased grades are shown and marked "not released"; learners never reach these routes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from lms.assessments.results.gradebook import Cell, Gradebook, cohort_gradebook, state_words
from lms.cohorts.access import staff_cohort_or_403
from lms.cohorts.models import Cohort
from lms.core.csv import csv_response

bp = Blueprint("gradebook", __name__, url_prefix="/manage/cohorts")


@bp.get("/<int:cohort_id>/gradebook")
def show(cohort_id: int):
    """Show every learner × assessment of the cohort, grouped by module, with module totals."""
    cohort = staff_cohort_or_403(cohort_id, joinedload(Cohort.path))
    return render_template(
        "assessments/gradebook.html", book=cohort_gradebook(cohort), words=state_words()
    )


def cell_text(cell: Cell, words: Mapping[str, str]) -> str | int:
    """Return a cell for the export: the percent when scored, else the state in words."""
    if cell.percent is None:
        return words[cell.state]
    if not cell.is_released:
        return f"{cell.percent} ({words['not_released']})"
    return cell.percent


def csv_rows(book: Gradebook) -> Iterator[list[Any]]:
    """Yield the export's header then one line per learner, module totals after each module."""
    words = state_words()
    header: list[Any] = [_("Learner"), _("Email")]
    for group in book.modules:
        header += [f"{a.code} (%)" for a in group.assessments]
        header.append(_("%(module)s total (%%)", module=group.module.code))
    yield header
    for row in book.rows:
        line: list[Any] = [row.learner.display_name, row.learner.email]
        start = 0
        for group, total in zip(book.modules, row.totals, strict=True):
            end = start + len(group.assessments)
            line += [cell_text(cell, words) for cell in row.cells[start:end]]
            line.append(total)
            start = end
        yield line


@bp.get("/<int:cohort_id>/gradebook.csv")
def export(cohort_id: int):
    """Export the gradebook, one line per learner (spreadsheet-safe)."""
    cohort = staff_cohort_or_403(cohort_id, joinedload(Cohort.path))
    book = cohort_gradebook(cohort)
    return csv_response(csv_rows(book), f"gradebook-cohort-{cohort.id}.csv")
