"""Login and logout: credentials, inactive accounts, ``next``, sessions and CSRF."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

import lms.accounts.services
from lms.accounts.signin import safe_next_path
from lms.extensions import db
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.web.helpers import csrf_token_of, form_errors, log_in, text

BAD_CREDENTIALS = "Incorrect e-mail address or password."


def test_login_page_shows_the_form(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="email"' in html
    assert 'autocomplete="current-password"' in html


def test_login_page_carries_a_csrf_token_when_protection_is_on(client, csrf_enabled):
    assert 'name="csrf_token"' in client.get("/login").get_data(as_text=True)


def test_login_with_the_right_password_lands_on_home(client):
    user = UserFactory(email="learner@example.org")
    response = log_in(client, user)
    assert response.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert session["_user_id"] == str(user.id)


def test_login_ignores_the_case_of_the_email(client):
    UserFactory(email="camille@example.org")
    response = client.post(
        "/login", data={"email": "  Camille@Example.ORG ", "password": DEFAULT_PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    UserFactory(email="known@example.org")
    wrong = client.post("/login", data={"email": "known@example.org", "password": "nope" * 4})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "nope" * 4})
    assert wrong.status_code == unknown.status_code == 200
    assert form_errors(wrong.get_data(as_text=True)) == text(BAD_CREDENTIALS)
    assert form_errors(unknown.get_data(as_text=True)) == text(BAD_CREDENTIALS)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_unknown_email_still_checks_a_password_hash(client, monkeypatch):
    checked = []
    real_check = lms.accounts.services.check_password_hash

    def spy(hash_, password):
        checked.append(hash_.split("$")[0])
        return real_check(hash_, password)

    monkeypatch.setattr(lms.accounts.services, "check_password_hash", spy)
    client.post("/login", data={"email": "nobody@example.org", "password": "whatever1234"})
    assert checked == ["scrypt:32768:8:1"]


def test_user_without_password_cannot_log_in(client):
    user = UserFactory(email="invited@example.org")
    user.password_hash = None
    db.session.commit()  # an invitation not yet accepted, as stored
    response = client.post("/login", data={"email": user.email, "password": ""})
    assert response.status_code == 200
    response = client.post("/login", data={"email": user.email, "password": "anything1234"})
    assert form_errors(response.get_data(as_text=True)) == text(BAD_CREDENTIALS)


def test_inactive_user_cannot_log_in(client):
    user = UserFactory(inactive=True)
    response = log_in(client, user)
    assert response.status_code == 200
    assert form_errors(response.get_data(as_text=True)) == text(BAD_CREDENTIALS)
    assert client.get("/dashboard").headers["Location"].startswith("/login?next=")


def test_deactivated_user_is_logged_out_on_the_next_request(client, app):
    from lms.extensions import db

    user = UserFactory()
    log_in(client, user)
    assert client.get("/dashboard").status_code == 200
    user.is_active = False
    db.session.commit()
    assert client.get("/dashboard").headers["Location"].startswith("/login?next=")


def test_unusable_user_id_in_the_session_means_anonymous(client):
    with client.session_transaction() as session:
        session["_user_id"] = "not-a-number"
    assert client.get("/dashboard").headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "data",
    [
        {"email": "", "password": ""},
        {"email": "bad\x00@example.org", "password": "whatever1234"},
        {"email": "x" * 300 + "@example.org", "password": "whatever1234"},
        {"password": "whatever1234"},
    ],
)
def test_malformed_login_input_gets_the_form_again(client, data):
    response = client.post("/login", data=data)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_login_drops_what_the_anonymous_session_held(client):
    user = UserFactory()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    log_in(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(user.id)


HOSTILE_NEXT = [
    "//evil.example",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "https:evil.example",
    "https://evil.example/",
    "http://localhost/dashboard",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " //evil.example",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_hostile_next_lands_on_home(client, target):
    user = UserFactory()
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": DEFAULT_PASSWORD},
    )
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_hostile_next_is_refused_by_the_checker(target):
    assert safe_next_path(target) is None


@pytest.mark.parametrize("target", ["/some/path", "/dashboard?tab=modules", "/a%2F%2Fb"])
def test_safe_next_is_followed(client, target):
    user = UserFactory()
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": DEFAULT_PASSWORD},
    )
    assert response.headers["Location"] == target


def test_login_form_keeps_a_safe_next_and_drops_a_hostile_one(client):
    safe = client.get("/login", query_string={"next": "/some/path"}).get_data(as_text=True)
    assert 'action="/login?next=/some/path"' in safe
    hostile = client.get("/login", query_string={"next": "//evil.example"})
    assert "evil.example" not in hostile.get_data(as_text=True)


def test_protected_page_sends_anonymous_visitors_to_login_and_back(client):
    user = UserFactory()
    location = client.get("/dashboard").headers["Location"]
    assert urlsplit(location).path == "/login"
    assert parse_qs(urlsplit(location).query) == {"next": ["/dashboard"]}
    response = client.post(location, data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/dashboard"


def test_logged_in_user_visiting_login_goes_home(client):
    log_in(client, UserFactory())
    assert client.get("/login").headers["Location"] == "/"
    assert client.get("/login?next=/dashboard").headers["Location"] == "/dashboard"


def test_logout_is_post_only(client):
    log_in(client, UserFactory())
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert client.get("/dashboard").status_code == 200


def test_logout_clears_the_session(client):
    log_in(client, UserFactory())
    with client.session_transaction() as session:
        session["leftover"] = "value"
    response = client.post("/logout")
    assert response.headers["Location"] == "/login"
    with client.session_transaction() as session:
        assert "_user_id" not in session
        assert "leftover" not in session
    assert client.get("/dashboard").headers["Location"].startswith("/login?next=")
    page = client.get("/login").get_data(as_text=True)
    assert text("You have been logged out.") in page


def test_login_without_csrf_token_is_refused(client, csrf_enabled):
    user = UserFactory()
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_login_with_csrf_token_works(client, csrf_enabled):
    user = UserFactory()
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_logout_without_csrf_token_is_refused(client, csrf_enabled):
    log_in(client, UserFactory())
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    page = client.get("/dashboard")
    assert page.status_code == 200
    token = csrf_token_of(page.get_data(as_text=True))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/login"
    assert client.get("/dashboard").headers["Location"].startswith("/login?next=")
