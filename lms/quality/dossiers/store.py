"""Where the dossiers' archives are stored: ``<instance>/dossiers`` (``lms.core.storage``)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app


def dossier_folder() -> Path:
    """Return the folder of the stored dossiers: ``<instance>/dossiers``."""
    return Path(current_app.instance_path) / "dossiers"
