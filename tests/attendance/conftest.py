"""Sheets render a fake PDF unless a test asks for the real one (``real_pdf``)."""

from __future__ import annotations

import pytest

from tests.attendance.sheet_support import FAKE_PDF


@pytest.fixture(autouse=True)
def _fast_sheet_pdf(request, monkeypatch):
    if "real_pdf" in request.fixturenames:
        return
    import lms.attendance.sheets.document as document

    monkeypatch.setattr(document, "render_sheet", lambda context: FAKE_PDF)


@pytest.fixture
def real_pdf():
    """Render sheets with the real engine (WeasyPrint) in this test."""
