"""Command ``lms grading-digest``: each trainer's daily e-mail of new work in their queue.

A scheduler runs it once a day (cron: ``0 7 * * * flask --app lms grading-digest``); ``--since``
covers another period (e.g. ``--since 72`` after a long weekend). Trainers with nothing new get no
message.
"""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

from lms.accounts.models import User
from lms.assessments.grading.notify import send_digest
from lms.assessments.grading.queue import new_submissions
from lms.cohorts.models import Membership, MembershipRole
from lms.core.time import utcnow
from lms.extensions import db


def trainers() -> list[User]:
    """Return the active users who train at least one cohort."""
    query = (
        db.select(User)
        .where(
            User.is_active,
            User.id.in_(db.select(Membership.user_id).filter_by(role=MembershipRole.TRAINER)),
        )
        .order_by(User.id)
    )
    return list(db.session.scalars(query))


@click.command("grading-digest")
@click.option(
    "--since",
    "hours",
    type=click.IntRange(min=1),
    default=24,
    show_default=True,
    help="Hours to look back for new submissions.",
)
@with_appcontext
def grading_digest_command(hours: int) -> None:
    """E-mail each trainer the submissions received in their queue in the last hours."""
    since = utcnow() - timedelta(hours=hours)
    sent = 0
    for trainer in trainers():
        items = new_submissions(trainer, since)
        if items and send_digest(trainer, items, since):
            sent += 1
    click.echo(f"grading digest: {sent} trainer(s) notified")
