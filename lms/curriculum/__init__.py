"""The training path: modules, chronology, lessons, competency blocks and competencies."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Add the path-definition commands (``lms load-path``, ``lms export-path``)."""
    from lms.curriculum.cli import export_path_command, load_path_command

    app.cli.add_command(load_path_command)
    app.cli.add_command(export_path_command)
