"""Commands ``lms keys create-dev``, ``lms keys rotate`` and ``lms keys list`` (docs/keys.md).

Use cases in ``rotation``; each command commits once and says what it did. A key that cannot be
read or written stops the command with a message naming the file (exit status 1), never a
traceback.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from lms.certificates.credentials import keys, rotation
from lms.extensions import db

keys_group = AppGroup("keys", help="The organisation's signing keys (PDFs and credentials).")


def _stop(error: Exception) -> click.ClickException:
    db.session.rollback()
    return click.ClickException(str(error))


@keys_group.command("create-dev")
def create_dev_command() -> None:
    """Make a development PDF signing identity and credential key where none exists."""
    try:
        done = rotation.create_development_keys()
    except (rotation.KeyAdminError, OSError) as error:
        raise _stop(error) from None
    db.session.commit()
    for line in done:
        click.echo(line)
    click.echo("Development keys only: production refuses them (docs/keys.md).")


@keys_group.command("rotate")
def rotate_command() -> None:
    """Make a new credential key the signing key; retire the previous one (still published)."""
    try:
        done = rotation.rotate_key()
    except (rotation.KeyAdminError, keys.CredentialKeyMissing, OSError) as error:
        raise _stop(error) from None
    method = keys.verification_method(done.new)
    db.session.commit()
    removed = rotation.remove_retired_files()
    click.echo(f"New signing key: {done.new.kid}")
    click.echo(f"Verification method: {method}")
    for key in done.retired:
        click.echo(f"Retired (still published, its private file deleted): {key.kid}")
    click.echo(f"Status lists signed again: {done.lists_signed}")
    if len(removed) < len(done.retired):
        click.echo("Warning: a retired key's private file could not be found to delete.")
    if not current_app.config.get("BASE_URL"):
        click.echo("Warning: LMS_BASE_URL is not set: the address above is a placeholder.")


@keys_group.command("list")
def list_command() -> None:
    """List the credential keys and the PDF signing certificate."""
    states = rotation.list_keys()
    click.echo(f"Credential keys ({keys.key_folder()}):")
    if not states:
        click.echo("  none yet (`lms keys create-dev`, or `lms keys rotate` in production)")
    for state in states:
        created = f"{state.created_at:%Y-%m-%d %H:%M}" if state.created_at else "?"
        retired = f"retired {state.retired_at:%Y-%m-%d %H:%M}" if state.retired_at else "active"
        notes = [
            "current" if state.is_current else "",
            "development" if state.is_development else "",
            "private file present" if state.has_private_file else "no private file",
            "published" if state.published else "not yet published (signs nothing yet)",
        ]
        click.echo(
            f"  {state.kid}  created {created}  {retired}  " + ", ".join(filter(None, notes))
        )
    identity = rotation.signing_identity()
    if identity is None:
        click.echo("PDF signing: no identity configured (PDFs are issued unsigned)")
    elif identity.certificate is None:
        click.echo(f"PDF signing: {identity.path}: {identity.problem}")
    else:
        certificate = identity.certificate
        kind = "development" if identity.is_development else "organisation"
        click.echo(f"PDF signing ({kind}): {identity.path}")
        click.echo(f"  subject: {certificate.subject.rfc4514_string()}")
        click.echo(
            f"  valid from {certificate.not_valid_before_utc:%Y-%m-%d} "
            f"to {certificate.not_valid_after_utc:%Y-%m-%d}"
        )
