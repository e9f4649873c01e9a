"""The ``lms`` console command: Flask's commands (run, routes, shell, db) plus the project's."""

from __future__ import annotations

from flask.cli import FlaskGroup


def _create_app():
    from lms import create_app

    return create_app()


cli = FlaskGroup(
    create_app=_create_app, help="Certifying-path LMS « Entrepreneur·e du bien-vivre »."
)


def main() -> None:
    """Entry point of the ``lms`` console script."""
    cli()
