"""The projects' world, built once per test (tables are emptied after each)."""

from __future__ import annotations

import pytest

from tests.projects.support import ProjectWorld


@pytest.fixture
def world(app) -> ProjectWorld:
    """A cohort with a grid, its people by role, and learner A's project."""
    return ProjectWorld()
