"""The surveys' world, built once per test (tables are emptied after each)."""

from __future__ import annotations

import pytest

from tests.quality.surveys.support import SurveyWorld


@pytest.fixture
def world(app) -> SurveyWorld:
    """A cohort of three learners and a trainer, with a survey of each kind."""
    return SurveyWorld()
