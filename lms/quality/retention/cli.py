"""Commands ``lms purge`` and ``lms cohort-retention`` (docs/operations.md, Retention).

``lms purge --dry-run`` lists, one line per row, what ``lms purge`` then changes: the rule, the
table and row, the columns erased, the row or stored file deleted, never a value. Run it once a
year, in January (cron, a systemd timer), after a backup. ``--as-of`` computes the periods for
another day: an earlier one for a cautious run, a later one only with ``--dry-run`` (to see what
next year's purge will do). ``lms cohort-retention`` sets a cohort's own evidence period.
"""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.accounts.services import record_audit_event
from lms.cohorts.models import Cohort
from lms.core.time import local_today
from lms.extensions import db
from lms.quality.retention.services import (
    Plan,
    RetentionError,
    apply_purge,
    delete_files,
    plan_purge,
)


def _parse_day(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2031-01-15") from None


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="List what the purge would change; change nothing.")
@click.option(
    "--as-of",
    "as_of",
    callback=_parse_day,
    metavar="YYYY-MM-DD",
    help="Compute the periods for this day (default today; a later day needs --dry-run).",
)
@with_appcontext
def purge_command(dry_run: bool, as_of: date | None) -> None:
    """Anonymise and delete what is past its retention period (see docs/operations.md)."""
    today = local_today()
    try:
        plan = plan_purge(as_of or today, today=today, dry_run=dry_run)
    except RetentionError as error:
        raise click.UsageError(str(error)) from None
    _echo_plan(plan)
    if dry_run:
        db.session.rollback()
        click.echo(f"purge: {len(plan.actions)} changes due (dry run: nothing changed)")
        return
    apply_purge(plan)
    db.session.commit()
    missing = delete_files(plan.files)
    for file in missing:
        click.echo(f"already missing: {file}", err=True)
    click.echo(f"purge: {len(plan.actions)} changes made")


def _echo_plan(plan: Plan) -> None:
    seen = plan.horizon
    click.echo(
        f"purge as of {seen.as_of.isoformat()}: evidence {seen.evidence_years} years, "
        f"surveys {seen.survey_years} years; cohorts past their period: "
        f"{len(seen.past_cohort_ids)}"
    )
    for action in plan.actions:
        click.echo(action.describe())
    for name, actions in plan.by_rule().items():
        files = sum(len(action.files) for action in actions)
        click.echo(f"{name}: {len(actions)} rows, {files} files")


@click.command("cohort-retention")
@click.argument("cohort_name")
@click.argument("years", required=False, type=click.IntRange(1, 50))
@click.option("--default", "use_default", is_flag=True, help="Follow the setting again.")
@with_appcontext
def cohort_retention_command(cohort_name: str, years: int | None, use_default: bool) -> None:
    """Set how many years after its end a cohort's evidence is kept (e.g. 10: EU funds)."""
    if (years is None) == (not use_default):
        raise click.UsageError("give a number of years (1 to 50) or --default, not both")
    cohort = db.session.scalar(db.select(Cohort).where(Cohort.name == cohort_name))
    if cohort is None:
        raise click.UsageError(f"no cohort is named {cohort_name!r}")
    before = {"evidence_retention_years": cohort.evidence_retention_years}
    cohort.evidence_retention_years = years
    record_audit_event(
        None,
        "cohort.retention_changed",
        cohort,
        before=before,
        after={"evidence_retention_years": years},
    )
    db.session.commit()
    default = current_app.config["RETENTION_EVIDENCE_YEARS"]
    kept = years or default
    click.echo(
        f"{cohort.name}: evidence kept until 31 December {cohort.ends_on.year + kept}"
        f" ({kept} years{'' if years else ', the setting'})"
    )
