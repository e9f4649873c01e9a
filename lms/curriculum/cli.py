"""Commands ``lms load-path`` and ``lms export-path``: the path definition as a file."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms.core.transactions import unit_of_work
from lms.curriculum.services import (
    LoadOutcome,
    PathDefinitionError,
    export_path,
    get_path,
    load_path_file,
)


def _outcome_label(outcome: LoadOutcome) -> str:
    labels = {
        LoadOutcome.CREATED: _("created"),
        LoadOutcome.UNCHANGED: _("unchanged"),
        LoadOutcome.REPLACED: _("replaced"),
    }
    return labels[outcome]


@click.command("load-path")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def load_path_command(file: Path) -> None:
    """Load a path-definition file (TOML); a refused file changes nothing."""
    try:
        with unit_of_work():
            result = load_path_file(file)
    except PathDefinitionError as error:
        raise click.ClickException(str(error)) from error
    path = result.path
    click.echo(
        _(
            "Loaded %(code)s v%(version)s: %(modules)d modules, %(blocks)d blocks, "
            "%(competencies)d competencies (%(outcome)s)",
            code=path.code,
            version=path.version,
            modules=len(path.modules),
            blocks=len(path.blocks),
            competencies=len(path.competencies),
            outcome=_outcome_label(result.outcome),
        )
    )


@click.command("export-path")
@click.argument("code")
@click.option("--version", type=click.IntRange(min=1), help="Version (default: the latest).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
@with_appcontext
def export_path_command(code: str, version: int | None, output: Path | None) -> None:
    """Write a stored path as a path-definition file (TOML)."""
    path = get_path(code, version)
    if path is None:
        if version is None:
            raise click.ClickException(_("no training path with code %(code)s", code=code))
        message = _("no version %(version)s of training path %(code)s", version=version, code=code)
        raise click.ClickException(message)
    text = export_path(path)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise click.ClickException(
            _("cannot write %(file)s (%(error)s)", file=output, error=error.strerror)
        ) from error
    click.echo(
        _(
            "Exported %(code)s v%(version)s to %(file)s",
            code=code,
            version=path.version,
            file=output,
        )
    )
