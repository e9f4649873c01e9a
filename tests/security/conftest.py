"""Fixtures of the security tests: cheap password hashes and a world of personas."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from werkzeug.security import generate_password_hash

from lms.extensions import db
from tests.conftest import _empty_tables
from tests.security.world import World, build_world, snapshot

# The production cost of scrypt (~0.1 s a hash) would make the route-by-persona tests slow;
# hash cost is tested by the accounts tests, not here.
FAST_HASH_METHOD = "scrypt:1024:8:1"


@pytest.fixture(scope="session", autouse=True)
def _fast_sqlite_commits(app):
    """Skip SQLite's fsync on commit: the worlds commit dozens of times, durability is moot."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            yield
            return
        event.listen(db.engine, "connect", _no_sync)
        db.engine.dispose()  # reconnect, with the pragma
        yield
        event.remove(db.engine, "connect", _no_sync)


def _no_sync(connection, record) -> None:
    connection.execute("PRAGMA synchronous = OFF")


@pytest.fixture(autouse=True)
def _fast_password_hashes(monkeypatch):
    """Hash and check passwords cheaply in the security tests."""
    import lms.accounts.models
    import lms.accounts.passwords

    monkeypatch.setattr(lms.accounts.models, "PASSWORD_HASH_METHOD", FAST_HASH_METHOD)
    dummy = generate_password_hash("not a real password at all", method=FAST_HASH_METHOD)
    monkeypatch.setattr(lms.accounts.passwords, "_dummy_hash", lambda: dummy, raising=False)


# The world is built once and shared by the tests of a module while they leave it unchanged:
# after each test the database is compared with the world as built; any change (an allowed
# write, a logout) empties the database and the next test builds a new world.
_SHARED: dict[str, object] = {}


@pytest.fixture
def world(app):
    """Return the cohorts, personas and their logged-in clients (shared while unchanged)."""
    if "world" not in _SHARED:
        _share(app)
    return _SHARED["world"]


@pytest.fixture
def fresh_world(app):
    """Return a function that empties the database and builds a new world."""
    return lambda: _share(app)


def _share(app) -> World:
    """Empty the database, build a world and remember it with its snapshot."""
    _empty_tables()
    _SHARED["world"] = build_world(app)
    _SHARED["snapshot"] = snapshot()
    return _SHARED["world"]


@pytest.fixture(autouse=True)
def _app_context(app, request):
    """Run each test in an application context; empty the tables unless the world is intact."""
    with app.app_context():
        yield
        db.session.rollback()
        intact = "world" in request.fixturenames and _SHARED.get("snapshot") == snapshot()
        if not intact:
            _SHARED.clear()
            _empty_tables()
        db.session.remove()


@pytest.fixture(scope="module", autouse=True)
def _empty_after_module(app):
    """Leave an empty database to the next module."""
    yield
    with app.app_context():
        _SHARED.clear()
        _empty_tables()
        db.session.remove()
