"""Structured security events (SECURITY.md I36): one JSON line each, no secrets, no forgery."""

from __future__ import annotations

import json
import logging

import pytest

import lms.accounts.tokens
from lms.core.logging import SECURITY_LOGGER, SecretInLogError, security_event
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.security.routes import NEW_PASSWORD
from tests.web.helpers import log_in


def security_lines(caplog) -> list[str]:
    """Return the messages written on the security logger."""
    return [r.getMessage() for r in caplog.records if r.name == SECURITY_LOGGER]


def events(caplog, action: str | None = None) -> list[dict]:
    """Return the parsed security events (of one action when given)."""
    parsed = [json.loads(line) for line in security_lines(caplog)]
    return [event for event in parsed if action is None or event["action"] == action]


def test_an_event_is_one_json_line_with_its_context(app, caplog):
    with app.test_request_context("/admin/users", environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        app.preprocess_request()
        security_event("role.granted", user_id=12, role="admin")
    [line] = security_lines(caplog)
    event = json.loads(line)
    assert event["action"] == "role.granted"
    assert (event["user_id"], event["role"], event["ip"]) == (12, "admin", "192.0.2.7")
    assert event["actor_id"] is None
    assert len(event["request_id"]) == 32
    assert event["timestamp"].endswith("+00:00")


@pytest.mark.parametrize("separator", ["\r\n", "\n", "\r", "\u2028", "\x85"])
def test_a_line_break_in_a_value_cannot_forge_a_second_line(caplog, separator):
    name = f'Zoé{separator}{{"action": "login.success", "actor_id": 1}}{separator}FAKE'
    security_event("user.renamed", display_name=name)
    [line] = security_lines(caplog)
    assert len(line.splitlines()) == 1
    assert json.loads(line)["display_name"] == name


@pytest.mark.parametrize("key", ["password", "new_password", "token", "session_cookie", "csrf"])
def test_a_secret_field_is_refused_while_testing(key):
    with pytest.raises(SecretInLogError):
        security_event("login.failure", **{key: "hunter2-secret-value"})


def test_a_secret_field_is_dropped_in_production(app, caplog, monkeypatch):
    monkeypatch.setattr(app, "testing", False)
    security_event("login.failure", email="a@example.org", extra={"api_token": "abc123"})
    [event] = events(caplog)
    assert event["email"] == "a@example.org"
    assert event["extra"] == {}
    assert "abc123" not in security_lines(caplog)[0]


def test_a_denied_page_is_logged_with_the_actor(client, caplog):
    user = UserFactory()
    log_in(client, user)
    caplog.clear()
    assert client.get("/admin/").status_code == 403
    [event] = events(caplog, "access.denied")
    assert (event["actor_id"], event["status"], event["path"]) == (user.id, 403, "/admin/")


def test_an_anonymous_visitor_sent_to_login_is_logged(client, caplog):
    response = client.get("/dashboard")
    assert response.headers["Location"].startswith("/login?next=")
    [event] = events(caplog, "access.denied")
    assert (event["actor_id"], event["status"]) == (None, "login required")


def test_a_refused_csrf_token_is_logged(client, csrf_enabled, caplog):
    assert client.post("/login", data={"email": "a@example.org"}).status_code == 400
    [event] = events(caplog, "csrf.refused")
    assert event["endpoint"] == "accounts.login"


@pytest.fixture
def mailbox(monkeypatch) -> list[str]:
    """Collect the bodies of the e-mails sent instead of sending (or logging) them."""
    bodies: list[str] = []
    monkeypatch.setattr(
        lms.accounts.tokens, "send_mail", lambda to, subject, body: bodies.append(body)
    )
    return bodies


def test_no_password_token_or_cookie_is_logged_during_login_and_reset(client, caplog, mailbox):
    user = UserFactory(email="zoe@example.org")
    with caplog.at_level(logging.DEBUG):
        client.post("/login", data={"email": user.email, "password": "Wrong password 1234"})
        log_in(client, user)
        cookie = client.get_cookie("session").value
        client.post("/logout")
        client.post("/password/forgot", data={"email": user.email})
        token = mailbox[0].split("/password/reset/")[1].split()[0]
        reset_page = client.get(f"/password/reset/{token}").headers["Location"]
        form = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
        assert client.post(reset_page, data=form).headers["Location"] == "/login"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert {"login.failure", "login.success", "password_reset.completed"} <= {
        event["action"] for event in events(caplog)
    }
    for secret in ("Wrong password 1234", DEFAULT_PASSWORD, NEW_PASSWORD, token, cookie):
        assert secret not in logged
