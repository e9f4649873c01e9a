"""Certificate tests start and end with empty folders of issued PDFs and jury minutes."""

from __future__ import annotations

import shutil

import pytest

from lms.certificates.issuing import certificate_folder
from lms.certificates.jury.minutes_store import minutes_folder


@pytest.fixture(autouse=True)
def _empty_certificate_folder(app):
    """Remove the PDFs other tests stored: each test counts only the files it made."""
    with app.app_context():
        for folder in (certificate_folder(), minutes_folder()):
            shutil.rmtree(folder, ignore_errors=True)
    yield
    with app.app_context():
        for folder in (certificate_folder(), minutes_folder()):
            shutil.rmtree(folder, ignore_errors=True)
