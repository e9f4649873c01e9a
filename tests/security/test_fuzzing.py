"""Form fuzzing (SECURITY.md D19): nasty values on every form never yield a server error.

Each write route of the table is posted, by a persona it allows, with every field set to each
value of a fixed corpus (empty, NUL bytes, 100 KB, numbers out of range, markup, impossible
dates...), with each field missing, with every field given twice, and with seeded random text.
The answer may refuse the input, never fail: no 5xx.
"""

from __future__ import annotations

import random
import re

import pytest
from werkzeug.datastructures import MultiDict

from tests.security import figures
from tests.security.routes import PERSONAS, ROUTES
from tests.security.test_access_matrix import route_id
from tests.security.world import World

NASTY_VALUES = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 100_000,
    "é" * 5_000,
    "<script>alert(1)</script>",
    "' OR '1'='1' --",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "null",
    "../../etc/passwd",
    "%00",
    "2024-02-30",
    "0000-00-00",
    "9999-12-31T99:99",
    "\r\nSet-Cookie: a=b",
    "🙂" * 500,
    "\u202e\ufeff",
    "true",
)
# 410: a single-use link that a fuzzed form happened to use (project_link.evaluate).
ACCEPTABLE = {200, 302, 303, 400, 403, 404, 409, 410, 413, 422, 429}
RANDOM_EXAMPLES = 8
WRITES = sorted(route for route in ROUTES if route[1] == "POST")
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')


def fuzzing_persona(route) -> str:
    """Return a logged-in persona the route allows (anonymous for public routes only)."""
    allowed = [p for p in PERSONAS if p in ROUTES[route].access.allowed]
    return next((p for p in allowed if p != "anonymous"), allowed[0])


def field_names(world: World, route, persona: str) -> list[str]:
    """Return the route's form fields: from its recipe and from its page, when it has one."""
    endpoint, _method = route
    names = set(ROUTES[route].data)
    if (endpoint, "GET") in ROUTES:
        page = world.request(persona, endpoint, "GET").get_data(as_text=True)
        names.update(FIELD.findall(page))
    return sorted(names - {"csrf_token"}) or ["unexpected"]


def random_text(rng: random.Random) -> str:
    """Return a seeded random string: any code point but surrogates, any length to 2000."""
    length = rng.choice((0, 1, 5, 50, 2000))
    points = (
        rng.choice((rng.randrange(0, 128), rng.randrange(128, 0xD800))) for _ in range(length)
    )
    return "".join(map(chr, points))


def fuzzed_forms(base: dict, names: list[str], seed: str):
    """Yield the forms to post: corpus values, missing fields, duplicates, random text."""
    for value in NASTY_VALUES:
        yield dict.fromkeys(names, value)
    for name in names:
        yield {key: value for key, value in base.items() if key != name}
    yield MultiDict([(name, value) for name in names for value in ("1", NASTY_VALUES[3])])
    rng = random.Random(seed)
    for _ in range(RANDOM_EXAMPLES):
        yield {name: random_text(rng) for name in names}


@pytest.mark.parametrize("route", WRITES, ids=route_id)
def test_fuzzed_forms_never_get_a_server_error(route, world: World):
    endpoint, method = route
    persona = fuzzing_persona(route)
    names = field_names(world, route, persona)
    base = world.data(ROUTES[route], persona)
    url = world.url(endpoint, ROUTES[route], persona)
    statuses = [
        world.request(persona, endpoint, method, url=url, data=form).status_code
        for form in fuzzed_forms(base, names, seed=route_id(route))
    ]
    server_errors = [status for status in statuses if status >= 500]
    figures.add("fuzzed inputs tried", len(statuses))
    figures.add("server errors seen", len(server_errors))
    assert set(statuses) <= ACCEPTABLE, sorted(set(statuses) - ACCEPTABLE)
