"""Security headers on every route (SECURITY.md E22) and templates that need no inline code."""

from __future__ import annotations

import re

import pytest

from lms import ROOT, create_app
from lms.core.security import CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY
from tests.security.routes import PERSONAS, ROUTES
from tests.security.test_access_matrix import route_id

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
# What the policy forbids in a template: inline styles, inline scripts, event handlers.
INLINE_CODE = re.compile(
    r"""\sstyle\s*=|<style|<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+\s*=|javascript:""", re.I
)


# Answers that name nobody, fetched by verifiers' machines: shared caches may keep them.
PUBLIC_CACHE = dict.fromkeys(
    ("credentials.status_list", "credentials.issuer", "credentials.verification_method"),
    "public, max-age=300",
)
# Pages whose address is a secret send no Referer at all (SECURITY.md J40).
NO_REFERRER = {"project_link.evaluate", "survey_link.answer"}


def assert_security_headers(response, endpoint: str | None = None) -> None:
    """Fail unless the response carries every security header."""
    expected = dict(EXPECTED)
    if endpoint in NO_REFERRER:
        expected["Referrer-Policy"] = "no-referrer"
    for name, value in expected.items():
        assert response.headers.get(name) == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert re.fullmatch(r"[A-Za-z0-9-]{8,64}", response.headers["X-Request-ID"])


def test_policy_forbids_inline_code_plugins_framing_and_base_changes():
    for directive in (
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in CONTENT_SECURITY_POLICY.split("; ")
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("route", sorted(ROUTES), ids=route_id)
def test_every_route_sends_the_security_headers(route, world):
    endpoint, method = route
    persona = next(p for p in PERSONAS if p in ROUTES[route].access.allowed)
    response = world.request(persona, endpoint, method)
    assert_security_headers(response, endpoint)
    assert "Strict-Transport-Security" not in response.headers  # not outside production
    if endpoint == "static":
        assert "no-store" not in response.headers.get("Cache-Control", "")
    else:
        assert response.headers["Cache-Control"] == PUBLIC_CACHE.get(endpoint, "no-store")


@pytest.mark.parametrize("path", ["/no/such/page", "/logout"])
def test_error_pages_send_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code in (404, 405)
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_sane_request_id_from_the_proxy_is_kept_and_a_forged_one_replaced(client):
    kept = client.get("/login", headers={"X-Request-ID": "proxy-0123456789"})
    assert kept.headers["X-Request-ID"] == "proxy-0123456789"
    forged = client.get("/login", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])


def test_production_adds_hsts_and_runs_without_debug(tmp_path, production_settings):
    app = create_app(
        {
            **production_settings,
            "ENV_NAME": "production",
            "SECRET_KEY": "a-production-secret-key-of-sufficient-length-0123",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "prod.sqlite3"),
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    assert not app.debug
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == STRICT_TRANSPORT_SECURITY
    assert_security_headers(response)


def test_templates_hold_no_inline_script_style_or_event_handler():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)!r}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for match in INLINE_CODE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders
