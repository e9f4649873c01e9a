"""Command ``lms send-project-invitations``: send the later ex post links whose date has come.

Run it daily (cron, a systemd timer; docs/project-links.md). Each planned link leaves once, even
when two runs overlap; ``--dry-run`` lists what is due without sending or recording anything.
The tokens are never printed: only the projects and the addresses the links went to.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.core.time import local_today
from lms.extensions import db
from lms.projects.invitations_mail import due_invitation_ids, send_due_invitations
from lms.projects.models import ProjectInvitation


@click.command("send-project-invitations")
@click.option("--dry-run", is_flag=True, help="List the links due; send nothing.")
@with_appcontext
def send_project_invitations_command(dry_run: bool) -> None:
    """Send the later ex post evaluation links whose date has come (each once)."""
    if dry_run:
        ids = due_invitation_ids(local_today())
        for invitation_id in ids:
            invitation = db.session.get(ProjectInvitation, invitation_id)
            assert invitation is not None
            click.echo(f"project {invitation.project_id}\t{invitation.email}")
        click.echo(f"project links: {len(ids)} due (dry run: nothing sent)")
        return
    sent = send_due_invitations()
    for link in sent:
        click.echo(f"project {link.project_id}\t{link.email}")
    click.echo(f"project links: {len(sent)} sent")
