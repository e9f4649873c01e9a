"""The retention page (blueprint ``retention_admin``): the periods and what the purge would do.

Central administrators only; read-only. It shows the settings, each cohort with the last day its
evidence is kept, and, rule by rule, how many rows and files ``lms purge`` would change today
and on 1 January next year. The purge itself runs from the command line, after a backup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l

from lms.accounts.permissions import admin_required
from lms.cohorts.models import Cohort
from lms.core.time import local_today
from lms.extensions import db
from lms.quality.retention.periods import cohort_years, is_cohort_past, kept_until
from lms.quality.retention.rules import RULES
from lms.quality.retention.services import Plan, plan_purge

bp = Blueprint("retention_admin", __name__, url_prefix="/admin/retention")

# What each rule does, as the page says it.
RULE_LABELS = {
    "submissions": _l("Submissions: files deleted, texts blanked"),
    "feedback": _l("Feedback of grades and markings blanked"),
    "extensions": _l("Reasons of deadline extensions blanked"),
    "attendance": _l("Reasons of excused absences blanked, supporting files deleted"),
    "positioning": _l("Positioning comments and adjustments blanked"),
    "dossiers": _l("Learners’ dossiers deleted, with their archives"),
    "projects": _l("Project texts blanked, invited people anonymised"),
    "surveys": _l("Survey text answers blanked, answers cut from people, contacts anonymised"),
    "accounts": _l("Learners’ accounts anonymised, sign-in removed"),
    "logs": _l("Details of old audit events erased"),
}


@dataclass(frozen=True)
class RuleLine:
    """One rule on the page: what it does, rows and files due now and next year."""

    label: str
    rows_now: int
    files_now: int
    rows_next: int
    files_next: int


@dataclass(frozen=True)
class CohortLine:
    cohort: Cohort
    years: int
    own_period: bool
    kept_until: date
    past: bool


def _counts(plan: Plan) -> dict[str, tuple[int, int]]:
    return {
        name: (len(actions), sum(len(action.files) for action in actions))
        for name, actions in plan.by_rule().items()
    }


def rule_lines(today: date) -> tuple[list[RuleLine], date]:
    """Return each rule's counts today and on 1 January next year, and that day."""
    next_year = date(today.year + 1, 1, 1)
    now = _counts(plan_purge(today, today=today, dry_run=True))
    later = _counts(plan_purge(next_year, today=today, dry_run=True))
    lines = [
        RuleLine(
            str(RULE_LABELS.get(rule.name, rule.summary)),
            *now.get(rule.name, (0, 0)),
            *later.get(rule.name, (0, 0)),
        )
        for rule in RULES
    ]
    return lines, next_year


def cohort_lines(today: date) -> list[CohortLine]:
    """Return every cohort with its period and the last day its evidence is kept."""
    default = int(current_app.config["RETENTION_EVIDENCE_YEARS"])
    cohorts = db.session.scalars(db.select(Cohort).order_by(Cohort.ends_on, Cohort.name))
    return [
        CohortLine(
            cohort,
            cohort_years(cohort, default),
            cohort.evidence_retention_years is not None,
            kept_until(cohort.ends_on.year, cohort_years(cohort, default)),
            is_cohort_past(cohort, today, default),
        )
        for cohort in cohorts
    ]


@bp.get("/")
@admin_required
def overview():
    """Show the retention periods, the cohorts' last days and what the purge would change."""
    today = local_today()
    rules, next_year = rule_lines(today)
    return render_template(
        "quality/retention/overview.html",
        evidence_years=current_app.config["RETENTION_EVIDENCE_YEARS"],
        survey_years=current_app.config["RETENTION_SURVEY_YEARS"],
        rules=rules,
        next_year=next_year,
        cohorts=cohort_lines(today),
        today=today,
    )
