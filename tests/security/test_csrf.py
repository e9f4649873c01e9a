"""CSRF on every state change and no state change on GET (SECURITY.md E21)."""

from __future__ import annotations

import pytest

from tests.security.routes import PERSONAS, ROUTES
from tests.security.test_access_matrix import route_id
from tests.security.world import World, snapshot
from tests.web.helpers import csrf_token_of

WRITES = sorted(route for route in ROUTES if route[1] in {"POST", "PUT", "PATCH", "DELETE"})
READS = sorted(route for route in ROUTES if route[1] == "GET")


def allowed_persona(route, prefer: str = "anonymous") -> str:
    """Return ``prefer`` when the route lets them through, else the first persona it allows."""
    allowed = ROUTES[route].access.allowed
    return prefer if prefer in allowed else next(p for p in PERSONAS if p in allowed)


def foreign_token(app) -> str:
    """Return a valid CSRF token of another browser's session."""
    page = app.test_client().get("/login").get_data(as_text=True)
    return csrf_token_of(page)


@pytest.mark.parametrize("route", WRITES, ids=route_id)
def test_write_refuses_a_missing_or_foreign_csrf_token(route, world: World, app, monkeypatch):
    endpoint, method = route
    persona = allowed_persona(route)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    stolen = foreign_token(app)
    before = snapshot()
    missing = world.request(persona, endpoint, method)
    data = {**world.data(ROUTES[route], persona), "csrf_token": stolen}
    foreign = world.request(persona, endpoint, method, data=data)
    assert (missing.status_code, foreign.status_code) == (400, 400), persona
    assert snapshot() == before


@pytest.mark.parametrize("route", READS, ids=route_id)
def test_get_changes_nothing_in_the_database(route, world: World):
    endpoint, method = route
    before = snapshot()
    response = world.request(allowed_persona(route, prefer="admin"), endpoint, method)
    assert response.status_code < 400
    assert snapshot() == before
