"""Error pages: each status has its page; a failing view shows a correlation id only."""

from __future__ import annotations

import logging
import re

import pytest
from werkzeug.exceptions import TooManyRequests

import lms.learning.views
from lms.core.errors import handle_http_error
from tests.factories import MembershipFactory, UserFactory
from tests.web.helpers import log_in, text


def heading(html: str) -> str:
    """Return the main heading of an error page."""
    return re.search(r'<h1 id="error-title">(.*?)</h1>', html, re.S).group(1)


def test_unknown_page_gets_the_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert heading(html) == text("Page not found")


def test_wrong_method_gets_the_405_page_with_allow(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert heading(response.get_data(as_text=True)) == text("Method not allowed")
    assert "POST" in response.headers["Allow"]


def test_denied_page_gets_the_403_page(client):
    log_in(client, MembershipFactory().user)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert heading(response.get_data(as_text=True)) == text("Access denied")


def test_missing_csrf_token_gets_the_400_page(client, csrf_enabled):
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert heading(response.get_data(as_text=True)) == text("Bad request")


def test_too_large_request_gets_the_413_page(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 4096})
    assert response.status_code == 413
    assert heading(response.get_data(as_text=True)) == text("Content too large")


def test_too_many_requests_gets_the_429_page_with_retry_after(app):
    with app.test_request_context("/login"):
        response = handle_http_error(TooManyRequests(retry_after=30))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert heading(response.get_data(as_text=True)) == text("Too many requests")


@pytest.fixture
def failing_dashboard(app, monkeypatch):
    """Make the dashboard fail with an exception, served as in production (not propagated)."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def explode(user):
        raise RuntimeError("secret detail: postgresql://user:pw@db/lms")

    monkeypatch.setattr(lms.learning.views, "learner_cohort", explode)


def test_failing_view_shows_a_500_page_with_a_correlation_id(client, failing_dashboard, caplog):
    log_in(client, UserFactory())
    with caplog.at_level(logging.ERROR):
        response = client.get("/dashboard")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert heading(html) == text("Something went wrong")
    correlation_id = re.search(r'<code class="correlation-id">([0-9a-f]{32})</code>', html).group(1)
    for leak in ("secret detail", "Traceback", "RuntimeError", "postgresql://"):
        assert leak not in html
    logged = [r for r in caplog.records if correlation_id in r.getMessage()]
    assert len(logged) == 1
    assert logged[0].exc_info[0] is RuntimeError


def test_each_failure_gets_its_own_correlation_id(client, failing_dashboard):
    log_in(client, UserFactory())
    pattern = r'class="correlation-id">([0-9a-f]{32})<'
    first = re.search(pattern, client.get("/dashboard").get_data(as_text=True)).group(1)
    second = re.search(pattern, client.get("/dashboard").get_data(as_text=True)).group(1)
    assert first != second
