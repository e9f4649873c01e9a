"""Empty the instance's stores of files, for tests that compare them with their rows.

Tables are emptied after every test, files are not: a test that checks storage starts from
empty stores, or another test's files would read as files without rows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import current_app

# The folders of stored files in the instance (see lms.certificates.storage_check).
STORES = (
    "uploads",
    "attendance",
    "attendance-sheets",
    "certificates",
    "minutes",
    "realisation",
    "dossiers",
)


def empty_file_stores() -> None:
    """Delete every stored file of the current application's instance."""
    for name in STORES:
        shutil.rmtree(Path(current_app.instance_path) / name, ignore_errors=True)
