"""Persona × route matrix (SECURITY.md C11): every route answers every persona as classified.

Allowed: a page or a redirect, but not to the login wall (the login page with ``next``).
Denied: anonymous visitors are sent to the login page with ``next`` set to where they were
going; authenticated people get 403, but for the local administrator of the other territory,
who gets 404 on routes naming an object of ``cohort``'s territory (SECURITY.md J39,
``routes.denied_status``). A denied request changes nothing in the database and shows none of
the other people's data.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.security import figures
from tests.security.routes import PERSONAS, ROUTES, denied_status
from tests.security.world import World, snapshot


def route_id(route: tuple[str, str]) -> str:
    """Name a parametrised case after its route: ``GET accounts.login``."""
    return f"{route[1]} {route[0]}"


def assert_allowed(response, persona: str, route) -> None:
    """Fail unless the response is a page or a redirect, but not the login wall (``next``)."""
    expected = ROUTES[route].status
    if expected is not None:
        assert response.status_code == expected, (persona, route, response.status_code)
        return
    assert response.status_code < 400, (persona, route, response.status_code)
    if persona != "anonymous" and response.status_code in (301, 302, 303, 307, 308):
        location = urlsplit(response.headers["Location"])
        sent_to_login = location.path == "/login" and "next" in parse_qs(location.query)
        assert not sent_to_login, (persona, route, response.headers["Location"])


def assert_denied(response, persona: str, route, url: str, world: World) -> None:
    """Fail unless the response denies the persona and shows nothing of other people."""
    if persona == "anonymous":
        assert response.status_code == 302, (route, response.status_code)
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login", (route, response.headers["Location"])
        assert parse_qs(location.query)["next"] == [url], route
    else:
        expected = denied_status(ROUTES[route], persona)
        assert response.status_code == expected, (persona, route, response.status_code)
        if expected == 404:
            figures.add("local administrators: cross-territory requests answered 404", 1)
    body = response.get_data(as_text=True)
    leaked = [secret for secret in world.protected_strings(persona) if secret in body]
    assert not leaked, (persona, route, leaked)
    if persona.endswith("local_admin"):
        figures.add("leaks across territories", len(leaked))


def check_denied(world: World, persona: str, route) -> None:
    """Send a denied request and check the answer and that nothing changed."""
    endpoint, method = route
    url = world.url(endpoint, ROUTES[route], persona)
    before = snapshot()
    response = world.request(persona, endpoint, method)
    assert_denied(response, persona, route, url, world)
    assert snapshot() == before, (persona, route, "a denied request changed the database")


@pytest.mark.parametrize("route", sorted(ROUTES), ids=route_id)
def test_route_answers_every_persona_as_classified(route, world, fresh_world):
    endpoint, method = route
    allowed = ROUTES[route].access.allowed
    for persona in (p for p in PERSONAS if p not in allowed):
        check_denied(world, persona, route)
    for number, persona in enumerate(p for p in PERSONAS if p in allowed):
        if method != "GET" and number:
            world = fresh_world()  # the previous persona's write may have changed the world
        assert_allowed(world.request(persona, endpoint, method), persona, route)
    figures.add("persona × route pairs checked", len(PERSONAS))
    # Text, not a count: pytest-xdist workers add counts up, and each worker has every persona.
    assessors = sum(1 for persona in PERSONAS if persona.startswith("assessor"))
    figures.FIGURES["personas in the matrix"] = f"{len(PERSONAS)} (external assessors: {assessors})"
