"""Account commands: ``lms create-admin`` creates the first (or another) administrator;
``lms reset-two-factor`` removes the second factor of someone who lost their device.

A new administrator has a password only: at their first login they are confined to the
two-step verification page until they have set it up (lms.accounts.two_factor_views).
"""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms.accounts import twofactor
from lms.accounts.passwords import password_problems
from lms.accounts.services import (
    AccountError,
    create_user,
    find_user_by_email,
    record_audit_event,
)
from lms.core.logging import security_event
from lms.core.text import text_problem
from lms.core.transactions import unit_of_work
from lms.extensions import db


@click.command("create-admin")
@click.option("--email", required=True, help="E-mail address the administrator logs in with.")
@click.option("--name", default=None, help="Name shown in the interface (default: the e-mail).")
@with_appcontext
def create_admin_command(email: str, name: str | None) -> None:
    """Create an administrator; the password is asked twice and never echoed."""
    email = _checked_email(email)
    if name is not None and (problem := text_problem(name)):
        raise click.ClickException(problem)
    if find_user_by_email(email) is not None:
        raise click.ClickException(_("An account already exists for %(email)s.", email=email))
    password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    problems = password_problems(password, email=email)
    if problems:
        raise click.ClickException(
            "\n".join([_("The password is refused:"), *(f"  - {p}" for p in problems)])
        )
    try:
        with unit_of_work():
            user = create_user(email, (name or email).strip() or email, password, is_admin=True)
            after = {"email": email, "is_admin": True}
            record_audit_event(None, "user.create_admin", user, after=after)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(_("Administrator %(email)s created.", email=email))
    click.echo(_("At their first login, they will set up two-step verification."))


@click.command("reset-two-factor")
@click.option("--email", required=True, help="E-mail address of the locked-out person.")
@click.option("--by", "actor_email", default=None, help="E-mail of the administrator resetting.")
@with_appcontext
def reset_two_factor_command(email: str, actor_email: str | None) -> None:
    """Remove someone's second factor and recovery codes (lost device); audited."""
    user = _existing_user(email)
    actor = _existing_user(actor_email) if actor_email else None
    if actor is not None and not actor.is_admin:
        raise click.ClickException(_("%(email)s is not an administrator.", email=actor.email))
    if not user.two_factor_enabled:
        raise click.ClickException(
            _("%(email)s has no two-step verification to reset.", email=user.email)
        )
    twofactor.reset(user)
    record_audit_event(actor, "user.reset_2fa", user, before={"two_factor": True})
    db.session.commit()
    security_event("user.reset_2fa", user_id=user.id, by_user_id=actor and actor.id)
    click.echo(_("Two-step verification removed for %(email)s.", email=user.email))
    if user.is_admin:
        click.echo(_("As an administrator, they must set it up again at their next login."))


def _existing_user(email: str):
    """Return the user with this e-mail address, or stop with a message."""
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(_("No account uses %(email)s.", email=email.strip()))
    return user


def _checked_email(email: str) -> str:
    """Return the normalised address, or stop with a message when it is not an e-mail."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise click.ClickException(
            _("Not a valid e-mail address: %(reason)s", reason=str(error))
        ) from error
