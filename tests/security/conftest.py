"""Fixtures of the security tests: cheap password hashes and a world of personas."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from lms.extensions import db
from tests.conftest import _empty_tables
from tests.security.world import World, build_world, snapshot

# The production cost of scrypt (~0.1 s a hash) would make the route-by-persona tests slow;
# hash cost is tested by the accounts tests, not here.
FAST_HASH_METHOD = "scrypt:1024:8:1"


@pytest.fixture(autouse=True)
def _fast_password_hashes(monkeypatch):
    """Hash and check passwords cheaply in the security tests."""
    import lms.accounts.models
    import lms.accounts.services

    monkeypatch.setattr(lms.accounts.models, "PASSWORD_HASH_METHOD", FAST_HASH_METHOD)
    dummy = generate_password_hash("not a real password at all", method=FAST_HASH_METHOD)
    monkeypatch.setattr(lms.accounts.services, "_dummy_hash", lambda: dummy)


# The world is built once per run and restored from its saved rows whenever a test changed it
# (an allowed write, a logout): a test that asks for ``world`` always starts from the world as
# built. Tests that do not ask for it run on empty tables, as everywhere else.
_SHARED: dict[str, object] = {}


@pytest.fixture
def world(app) -> World:
    """Return the cohorts, personas and their logged-in clients, as built."""
    if "world" not in _SHARED:
        _empty_tables()
        _SHARED["world"] = build_world(app)
        _SHARED["snapshot"] = snapshot()
    elif not _SHARED.get("loaded") or snapshot() != _SHARED["snapshot"]:
        _SHARED["world"].restore()
    _SHARED["loaded"] = True
    return _SHARED["world"]


@pytest.fixture
def fresh_world(world):
    """Return a function that puts the world back as built, and returns it."""

    def restore() -> World:
        world.restore()
        return world

    return restore


@pytest.fixture(autouse=True)
def _app_context(app, request):
    """Run each test in an application context; only ``world`` tests leave rows behind."""
    with app.app_context():
        if "world" not in request.fixturenames and _SHARED.pop("loaded", False):
            _empty_tables()
        yield
        db.session.rollback()
        if "world" not in request.fixturenames:
            _empty_tables()
        db.session.remove()


@pytest.fixture(scope="module", autouse=True)
def _empty_after_module(app):
    """Leave an empty database to the next module."""
    yield
    with app.app_context():
        _SHARED.pop("loaded", None)
        _empty_tables()
        db.session.remove()
