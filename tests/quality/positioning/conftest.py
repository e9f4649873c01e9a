"""The positioning's world, built once per test (tables are emptied after each)."""

from __future__ import annotations

import pytest

from tests.quality.positioning.support import PositioningWorld


@pytest.fixture
def world(app) -> PositioningWorld:
    """A cohort with a described scale, three competencies, an entry quiz and its people."""
    return PositioningWorld()
