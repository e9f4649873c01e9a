"""Commands ``lms backup DIR`` and ``lms restore DIR`` (use cases in ``backup`` and ``restore``)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms.operations.backup import create_backup
from lms.operations.errors import BackupError
from lms.operations.restore import restore_backup


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Back up the database and the stored files into a new folder, with a manifest."""
    try:
        manifest = create_backup(directory, click.echo)
    except BackupError as error:
        raise click.ClickException(
            "\n".join([str(error), _("No backup was written in %(path)s.", path=directory)])
        ) from error
    except Exception as error:  # disk full, lost connection: say it, nothing is kept
        raise click.ClickException(
            "\n".join(
                [
                    _("The backup failed: %(error)s", error=error),
                    _("No backup was written in %(path)s.", path=directory),
                ]
            )
        ) from error
    click.echo(
        _(
            "Backup written to %(path)s (rows: %(rows)d, files: %(count)d, bytes: %(size)d).",
            path=directory.resolve(),
            rows=sum(manifest.database.rows.values()),
            count=len(manifest.stored_files),
            size=sum(item.size for item in manifest.files),
        )
    )
    click.echo(
        _(
            "The secret key is not in the backup: keep it apart (LMS_SECRET_KEY or lms.cfg); "
            "without it, second factors cannot be checked after a restore."
        )
    )
    click.echo(
        _(
            "Private keys are not in the backup either (the instance's keys/ folder: credential "
            "keys, PDF signing identity): keep them apart. The public keys are in the database "
            "(credentials signed before still verify after a restore)."
        )
    )


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(directory: Path) -> None:
    """Restore a backup into this empty instance, after checking every file's SHA-256."""
    try:
        report = restore_backup(directory, click.echo)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        _(
            "Restored from %(path)s (tables: %(tables)d, rows: %(rows)d, files: %(count)d); "
            "row counts match the manifest.",
            path=directory.resolve(),
            tables=len(report.rows),
            rows=sum(report.rows.values()),
            count=report.files,
        )
    )
    for warning in report.warnings:
        click.echo(_("Warning: %(warning)s", warning=warning), err=True)
