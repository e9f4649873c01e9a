"""IDOR sweep (SECURITY.md C12): object ids of others, missing, zero, negative, huge, not numbers.

Every route with an integer URL argument is called, by each persona it allows, with that
argument replaced: another person's object (``FOREIGN``) must be denied or not found, and so
must ids that match nothing. Never a 500, and nothing changes.
"""

from __future__ import annotations

import pytest

from tests.security import figures
from tests.security.routes import FOREIGN, PERSONAS, ROUTES, TERRITORY_OBJECTS
from tests.security.test_access_matrix import route_id
from tests.security.world import World, int_arguments, snapshot

BAD_IDS = ("999999", "0", "-1", str(10**12), str(10**20), "abc", "1.5", "%00")
# Names that stay unreachable for administrators too.
OWN_PREFIX = "own_"
PLACEHOLDER = 987654321
OBJECT_ROUTES = sorted(route for route, rule in ROUTES.items() if rule.url_args)


def url_with(world: World, route, persona: str, argument: str, value) -> str:
    """Return the route's URL for ``persona`` with ``argument`` replaced by ``value``."""
    endpoint, _method = route
    url = world.url(endpoint, ROUTES[route], persona, **{argument: PLACEHOLDER})
    return url.replace(str(PLACEHOLDER), str(value), 1)


def foreign_ids(world: World, route, persona: str, argument: str) -> list[int]:
    """Return ids of objects of the same kind that ``persona`` must not reach."""
    name = ROUTES[route].url_args[argument]
    if name not in FOREIGN or (persona == "admin" and not name.startswith(OWN_PREFIX)):
        return []
    return [world.value(FOREIGN[name], persona)]


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=route_id)
def test_object_ids_of_others_or_of_nothing_are_refused(route, world: World, app):
    endpoint, method = route
    arguments = int_arguments(app, endpoint)
    allowed = [p for p in PERSONAS if p in ROUTES[route].access.allowed]
    before = snapshot()
    tried = 0
    for persona in allowed:
        for argument in arguments:
            for value in (*foreign_ids(world, route, persona, argument), *BAD_IDS):
                url = url_with(world, route, persona, argument, value)
                response = world.request(persona, endpoint, method, url=url)
                assert response.status_code in (403, 404), (persona, argument, value)
                tried += 1
    assert snapshot() == before
    figures.add("object ids tried (IDOR sweep)", tried)


# SECURITY.md J38: the objects an external assessor must not reach through their membership.
ASSESSED_OBJECTS = {"cohort", "learner_a", "learner_b", "learner_a_submission", "grade"}
ASSESSORS = ("assessor", "assessor_expired")


def assessed_routes() -> list[tuple[str, str]]:
    """Return the object routes naming a cohort, a learner, a submission or a grade."""
    return [
        route
        for route in OBJECT_ROUTES
        if ASSESSED_OBJECTS & set(ROUTES[route].url_args.values())
        and not set(ASSESSORS) & ROUTES[route].access.allowed
    ]


def test_assessors_are_answered_as_people_with_no_role(world: World, app):
    # Their own cohort's objects, and ids of nothing: whatever a logged-in person in no cohort
    # gets (403 for an object that exists, 404 for none), with nobody's data in the body.
    from tests.web.helpers import log_in

    outsider = app.test_client()
    outsider.environ_base["REMOTE_ADDR"] = "192.0.2.99"
    log_in(outsider, world.get("outsider"))
    world.clients["outsider"] = outsider
    before = snapshot()
    tried = 0
    try:
        for route in assessed_routes():
            endpoint, method = route
            for argument in int_arguments(app, endpoint):
                real = world.value(ROUTES[route].url_args[argument], "outsider")
                for value in (real, 999999):
                    url = url_with(world, route, "outsider", argument, value)
                    expected = world.request("outsider", endpoint, method, url=url).status_code
                    assert expected in (403, 404), (route, value, expected)
                    for persona in ASSESSORS:
                        response = world.request(persona, endpoint, method, url=url)
                        assert response.status_code == expected, (persona, route, value)
                        body = response.get_data(as_text=True)
                        leaked = [s for s in world.protected_strings(persona) if s in body]
                        assert not leaked, (persona, route, leaked)
                        tried += 1
    finally:
        del world.clients["outsider"]
    assert tried
    assert snapshot() == before
    figures.add("object ids tried by external assessors", tried)


# SECURITY.md J39: a local administrator reaching for the other territory's objects gets the 404
# of an unknown id, with nothing of the other territory in the body.
LOCAL_ADMINS = ("local_admin",)


def territory_arguments(app, route) -> list[str]:
    """Return the integer URL arguments of ``route`` that name a territory object."""
    names = ROUTES[route].url_args
    return [a for a in int_arguments(app, route[0]) if names.get(a) in TERRITORY_OBJECTS]


def test_local_administrators_get_404_for_the_other_territory(world: World, app):
    before = snapshot()
    tried = 0
    for route in OBJECT_ROUTES:
        endpoint, method = route
        for persona in (p for p in LOCAL_ADMINS if p in ROUTES[route].access.allowed):
            for argument in territory_arguments(app, route):
                foreign = world.value(FOREIGN[ROUTES[route].url_args[argument]], persona)
                for value in (foreign, 999999):
                    url = url_with(world, route, persona, argument, value)
                    response = world.request(persona, endpoint, method, url=url)
                    assert response.status_code == 404, (persona, route, argument, value)
                    body = response.get_data(as_text=True)
                    leaked = [s for s in world.protected_strings(persona) if s in body]
                    assert not leaked, (persona, route, leaked)
                    tried += 1
    assert tried
    assert snapshot() == before
    figures.add("local administrators: cross-territory requests answered 404", tried // 2)
    figures.add("leaks across territories", 0)
