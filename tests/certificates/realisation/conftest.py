"""Realisation tests start and end with an empty folder of produced PDFs."""

from __future__ import annotations

import shutil

import pytest

from lms.certificates.realisation.services import realisation_folder
from tests.certificates.realisation.support import SETTINGS


@pytest.fixture(autouse=True)
def _empty_realisation_folder(app):
    with app.app_context():
        shutil.rmtree(realisation_folder(), ignore_errors=True)
    yield
    with app.app_context():
        shutil.rmtree(realisation_folder(), ignore_errors=True)


@pytest.fixture
def organisation(app, monkeypatch):
    """Configure the training organisation, as an instance's lms.cfg would."""
    for key, value in SETTINGS.items():
        monkeypatch.setitem(app.config, key, value)
    return SETTINGS
