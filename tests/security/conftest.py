"""Fixtures of the security tests: cheap password hashes and a world of personas."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from tests.conftest import _empty_tables
from tests.security.world import build_world

# The production cost of scrypt (~0.1 s a hash) would make the route-by-persona tests slow;
# hash cost is tested by the accounts tests, not here.
FAST_HASH_METHOD = "scrypt:1024:8:1"


@pytest.fixture(autouse=True)
def _fast_password_hashes(monkeypatch):
    """Hash and check passwords cheaply in the security tests."""
    import lms.accounts.models
    import lms.accounts.passwords

    monkeypatch.setattr(lms.accounts.models, "PASSWORD_HASH_METHOD", FAST_HASH_METHOD)
    dummy = generate_password_hash("not a real password at all", method=FAST_HASH_METHOD)
    monkeypatch.setattr(lms.accounts.passwords, "_dummy_hash", lambda: dummy, raising=False)


@pytest.fixture
def world(app):
    """Return the cohorts, personas and their logged-in clients."""
    return build_world(app)


@pytest.fixture
def fresh_world(app):
    """Return a function that empties the database and builds a new world."""

    def rebuild():
        _empty_tables()
        return build_world(app)

    return rebuild
