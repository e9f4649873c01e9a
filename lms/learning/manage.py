"""The trainer's view of progress (blueprint ``learning_manage``): heatmap, learner page, CSV.

The learning domain owns progress, so these pages live here rather than in ``cohorts``. Every
route loads its cohort through ``followed_cohort_or_403`` (``lms.cohorts.access``): trainers of
that cohort, central administrators and the local administrators of its territory (these are
reports: they follow their cohorts' progress) get in, other people get 403 (a local
administrator of another territory 404, as for an unknown cohort), anonymous visitors the login
page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from lms.cohorts.access import cohort_learner_or_404, followed_cohort_or_403
from lms.cohorts.models import Cohort
from lms.core.csv import csv_response
from lms.learning.cohort_progress import (
    attendance_of,
    cohort_progress,
    completed_by_learner,
    learner_progress,
    lessons_done,
)
from lms.learning.competencies import competency_profile, entry_levels_of
from lms.learning.progress import (
    FILTER_STATES,
    SORT_KEYS,
    CohortProgress,
    LearnerProgress,
    ModuleProgress,
    ProgressStatus,
    filter_learners,
    sort_learners,
)

bp = Blueprint("learning_manage", __name__, url_prefix="/manage/cohorts")

# The order a column sorts in on first click: names A→Z, the most advanced or recent first.
DEFAULT_ORDERS = {"name": "asc", "progress": "desc", "activity": "desc"}


def _choice(args: Mapping[str, str], name: str, allowed, label: str, problems: list[str]):
    """Return an allowed query value (or None when absent); name an unknown one in ``problems``."""
    value = args.get(name) or None
    if value is not None and value not in allowed:
        problems.append(
            _("“%(value)s” is not a valid %(field)s; it was ignored.", value=value, field=label)
        )
        return None
    return value


def heatmap_context(progress: CohortProgress, args: Mapping[str, str]) -> dict[str, Any]:
    """Sort and filter the learners as the query asks; return what the heatmap template needs."""
    problems: list[str] = []
    codes = [module.code for module in progress.modules]
    sort = _choice(args, "sort", SORT_KEYS, _("sort"), problems) or "name"
    order = _choice(args, "order", ("asc", "desc"), _("order"), problems) or DEFAULT_ORDERS[sort]
    state = _choice(args, "state", FILTER_STATES, _("state"), problems)
    module = _choice(args, "module", codes, _("module"), problems)
    rows = filter_learners(progress.learners, state, module)
    return {
        "attendance": _attendance(progress.cohort, progress.learners),
        "progress": progress,
        "cohort": progress.cohort,
        "rows": sort_learners(rows, sort, descending=order == "desc"),
        "sort": sort,
        "order": order,
        "state": state,
        "module": module,
        "problems": problems,
        "words": status_words(),
    }


def _attendance(cohort: Cohort, rows: Sequence[LearnerProgress]) -> dict[int, Any]:
    """Return each learner's attendance figures (empty when the path keeps no attendance)."""
    learners = [row.learner for row in rows]
    modules = [item.module for item in rows[0].modules] if rows else []
    return attendance_of(cohort, learners, completed_by_learner(rows), modules)


@bp.get("/<int:cohort_id>/progress")
def heatmap(cohort_id: int):
    """Show every learner × module of the cohort, sortable and filterable by state."""
    cohort = followed_cohort_or_403(cohort_id, joinedload(Cohort.path))
    context = heatmap_context(cohort_progress(cohort), request.args)
    return render_template("learning/manage/heatmap.html", **context)


@bp.get("/<int:cohort_id>/learners/<int:user_id>")
def learner(cohort_id: int, user_id: int):
    """Show one learner's modules, the lessons done and the competencies with their evidence."""
    cohort = followed_cohort_or_403(cohort_id, joinedload(Cohort.path))
    user = cohort_learner_or_404(cohort, user_id)
    row = learner_progress(cohort, user)
    return render_template(
        "learning/manage/learner.html",
        cohort=cohort,
        row=row,
        attendance=_attendance(cohort, [row]).get(user.id),
        lessons=lessons_done(user, cohort),
        profile=competency_profile(user, cohort, audience="staff"),
        entry=entry_levels_of(user, cohort),
        words=status_words(),
    )


def status_words() -> dict[str, Any]:
    """Return each status's words and icon, translated once per page (not once per cell)."""
    return {
        ProgressStatus.COMPLETED: _("Done"),
        ProgressStatus.IN_PROGRESS: _("In progress"),
        ProgressStatus.OPEN: _("Open"),
        ProgressStatus.LOCKED: _("Locked"),
        "late": _("Late"),
        "icons": {"completed": "✓", "in_progress": "◐", "open": "○", "locked": "✕"},
    }


def status_text(item: ModuleProgress, words: Mapping[str, Any]) -> str:
    """Describe a module's status in words, with lessons done and lateness (for the CSV)."""
    text = words[item.status]
    if item.status is ProgressStatus.IN_PROGRESS:
        text += f" {item.lessons_done}/{item.lessons_total}"
    if item.is_late:
        text = _("%(status)s (late)", status=text)
    return text


def _csv_row(row: LearnerProgress, words: Mapping[str, Any], attendance: Any = None) -> list[Any]:
    """Return one learner's line of the export (with their attendance figures, if given)."""
    activity = row.last_activity_at.date() if row.last_activity_at else None
    statuses = [status_text(item, words) for item in row.modules]
    line = [row.learner.display_name, row.learner.email, *statuses, row.percent, activity]
    if attendance is not None:
        rate = int(attendance.rate * 100) if attendance.rate is not None else None
        held, realised = attendance.held_minutes, attendance.realised_minutes
        line += [rate, round(held / 60, 2), round(realised / 60, 2)]
    return line


@bp.get("/<int:cohort_id>/progress.csv")
def progress_csv(cohort_id: int):
    """Export one line per learner: each module's status and the overall percentage."""
    cohort = followed_cohort_or_403(cohort_id, joinedload(Cohort.path))
    progress = cohort_progress(cohort)
    header = [_("Learner"), _("Email"), *(m.code for m in progress.modules)]
    header += [_("Progress (%)"), _("Last activity")]
    attendance = _attendance(cohort, progress.learners)
    if attendance:
        header += [_("Attendance (%)"), _("Hours held"), _("Hours realised")]
    words = status_words()
    rows = [header]
    for row in progress.learners:
        figures = attendance.get(row.learner.id) if attendance else None
        rows.append(_csv_row(row, words, figures))
    return csv_response(rows, f"progress-cohort-{cohort.id}.csv")


@bp.app_template_global()
def progress_sort_url(cohort: Cohort, key: str, sort: str, order: str, **filters) -> str:
    """Return the heatmap URL sorting by ``key``: toggling the order when it is the current sort."""
    toggled = "asc" if order == "desc" else "desc"
    next_order = toggled if key == sort else DEFAULT_ORDERS[key]
    kept = {name: value for name, value in filters.items() if value}
    return url_for(
        "learning_manage.heatmap", cohort_id=cohort.id, sort=key, order=next_order, **kept
    )
