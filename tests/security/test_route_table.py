"""Every route of the application is classified in tests/security/routes.py (SECURITY.md C10)."""

from __future__ import annotations

from tests.security.figures import FIGURES
from tests.security.routes import ROUTES

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def app_routes(app) -> set[tuple[str, str]]:
    """Return every ``(endpoint, method)`` pair the application serves (HEAD and OPTIONS aside).

    A rule only built into links (``build_only``) matches no request: it serves nothing.
    """
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if not rule.build_only
        for method in rule.methods - IGNORED_METHODS
    }


def test_every_route_is_classified(app):
    served = app_routes(app)
    missing = sorted(served - ROUTES.keys())
    stale = sorted(ROUTES.keys() - served)
    FIGURES["routes classified"] = f"{len(served) - len(missing)}/{len(served)}"
    assert not missing, f"add these routes to tests/security/routes.py: {missing}"
    assert not stale, f"these entries of tests/security/routes.py match no route: {stale}"
