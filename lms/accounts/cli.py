"""Account commands: ``lms create-admin`` creates the first (or another) administrator."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms.accounts.passwords import password_problems
from lms.accounts.services import (
    AccountError,
    create_user,
    find_user_by_email,
    record_audit_event,
)
from lms.extensions import db


@click.command("create-admin")
@click.option("--email", required=True, help="E-mail address the administrator logs in with.")
@click.option("--name", default=None, help="Name shown in the interface (default: the e-mail).")
@with_appcontext
def create_admin_command(email: str, name: str | None) -> None:
    """Create an administrator; the password is asked twice and never echoed."""
    email = _checked_email(email)
    if find_user_by_email(email) is not None:
        raise click.ClickException(_("An account already exists for %(email)s.", email=email))
    password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    problems = password_problems(password, email=email)
    if problems:
        raise click.ClickException(
            "\n".join([_("The password is refused:"), *(f"  - {p}" for p in problems)])
        )
    try:
        user = create_user(email, (name or email).strip() or email, password, is_admin=True)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    record_audit_event(None, "user.create_admin", user, after={"email": email, "is_admin": True})
    db.session.commit()
    click.echo(_("Administrator %(email)s created.", email=email))


def _checked_email(email: str) -> str:
    """Return the normalised address, or stop with a message when it is not an e-mail."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise click.ClickException(
            _("Not a valid e-mail address: %(reason)s", reason=str(error))
        ) from error
