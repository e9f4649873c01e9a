"""Command ``lms send-reminders``: send the reminder e-mails that are due (every 15 minutes).

Without ``--queue`` the command sends them itself (cron, a systemd timer); with it, it hands the
run to the job queue (``lms worker``), or runs it at once when no Redis is configured.
``--dry-run`` lists what is due without sending or recording anything.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.core.jobs import JobError, enqueue
from lms.core.time import utcnow
from lms.learning.reminders.services import due_reminders, send_due_reminders
from lms.learning.reminders.values import ReminderKind

KIND_CHOICES = click.Choice([kind.value for kind in ReminderKind])


@click.command("send-reminders")
@click.option("--dry-run", is_flag=True, help="List the due reminders; send nothing.")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=KIND_CHOICES,
    help="Only this kind (repeat the option); default: every kind.",
)
@click.option("--queue", "use_queue", is_flag=True, help="Hand the run to the job queue.")
@with_appcontext
def send_reminders_command(dry_run: bool, kinds: tuple[str, ...], use_queue: bool) -> None:
    """Send the reminders due now: deadlines, sessions of tomorrow, absences."""
    selected = list(kinds) or None
    if dry_run:
        reminders = due_reminders(utcnow(), selected)
        for reminder in reminders:
            click.echo(f"{reminder.kind.value}\tuser {reminder.user_id}\t{reminder.subject_key}")
        click.echo(f"reminders: {len(reminders)} due (dry run: nothing sent)")
        return
    if use_queue:
        try:
            job = enqueue(send_due_reminders, selected, queue="mail")
        except JobError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"reminders: job {job.id} {job.status}")
        return
    sent = send_due_reminders(selected)
    click.echo(f"reminders: {sent} sent")
