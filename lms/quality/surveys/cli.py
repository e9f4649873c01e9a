"""Command ``lms send-surveys``: open the campaigns due, invite, remind once.

Run it daily (cron, a systemd timer; docs/quality-surveys.md). Each campaign opens once and
each message leaves once, even when two runs overlap. ``--dry-run`` lists the campaigns due
without opening, sending or recording anything. Tokens are never printed.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.quality.surveys.campaigns import due_campaigns
from lms.quality.surveys.mail import run_round


@click.command("send-surveys")
@click.option("--dry-run", is_flag=True, help="List the campaigns due; open and send nothing.")
@with_appcontext
def send_surveys_command(dry_run: bool) -> None:
    """Open the satisfaction surveys due, invite the learners, send the one reminder."""
    if dry_run:
        due = due_campaigns()
        for item in due:
            module = item.module_id if item.module_id is not None else "-"
            click.echo(f"survey {item.survey_id}\tcohort {item.cohort_id}\tmodule {module}")
        click.echo(f"surveys: {len(due)} campaigns due (dry run: nothing opened or sent)")
        return
    done = run_round()
    click.echo(
        f"surveys: {len(done.opened)} campaigns opened, {done.invited} invitations, "
        f"{done.reminded} reminders sent"
    )
