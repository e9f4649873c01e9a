"""Fixtures of the territories' pages: a central administrator and a local one, logged in."""

from __future__ import annotations

import pytest

from tests.factories import TerritoryAdministratorFactory, TerritoryFactory, UserFactory
from tests.web.helpers import log_in


@pytest.fixture
def admin(client):
    """Log a central administrator in and return them."""
    user = UserFactory(admin=True)
    log_in(client, user)
    return user


@pytest.fixture
def lille():
    """Return a territory, Lille."""
    return TerritoryFactory(code="lille", name="Lille et sa métropole", company="Codev Lille")


@pytest.fixture
def grenoble():
    """Return another territory, Grenoble."""
    return TerritoryFactory(code="grenoble", name="Grenoble", company="Codev Grenoble")


@pytest.fixture
def local_admin(lille):
    """Return a user named local administrator of Lille (not logged in)."""
    return TerritoryAdministratorFactory(territory=lille, user=UserFactory()).user
