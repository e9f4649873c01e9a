"""Certificate tests start and end with an empty folder of issued PDFs."""

from __future__ import annotations

import shutil

import pytest

from lms.certificates.issuing import certificate_folder


@pytest.fixture(autouse=True)
def _empty_certificate_folder(app):
    """Remove the PDFs other tests stored: each test counts only the files it made."""
    with app.app_context():
        shutil.rmtree(certificate_folder(), ignore_errors=True)
    yield
    with app.app_context():
        shutil.rmtree(certificate_folder(), ignore_errors=True)
