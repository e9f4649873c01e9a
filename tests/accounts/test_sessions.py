"""Server-side sessions (SECURITY.md B7–B9): records, captured cookies, lifetime, idle timeout."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parsedate_to_datetime

from lms import create_app
from lms.accounts.models import UserSession
from lms.accounts.services import set_active
from lms.accounts.sessions import SESSION_KEY, end_sessions, hash_token
from lms.core.time import utcnow
from lms.extensions import db
from tests.accounts.helpers import (
    captured_cookie,
    is_refused,
    logged_in_client,
    replay,
    sessions_of,
)
from tests.factories import UserFactory
from tests.web.helpers import log_in


def test_login_records_a_session_keeping_only_a_digest_of_the_token(app):
    user = UserFactory()
    client = logged_in_client(app, user, address="198.51.100.7", user_agent="Firefox/" + "x" * 400)
    [record] = sessions_of(user)
    with client.session_transaction() as session:
        token = session[SESSION_KEY]
    assert len(token) >= 43  # 256 random bits, URL-safe base64
    assert record.token_hash == hash_token(token) != token
    assert record.ip == "198.51.100.7"
    assert record.user_agent == ("Firefox/" + "x" * 400)[:200]
    assert record.revoked_at is None
    assert record.created_at == record.last_seen_at


def test_cookie_captured_before_logout_is_refused_after_it(app):
    user = UserFactory()
    client = logged_in_client(app, user)
    cookie = captured_cookie(client)
    assert replay(app, cookie).status_code == 200  # the copy works while the session lives
    assert client.post("/logout").headers["Location"] == "/login"
    assert is_refused(replay(app, cookie))
    [record] = sessions_of(user)
    assert record.revoked_reason == "logout"


def test_cookie_captured_before_a_password_change_is_refused_after_it(app):
    user = UserFactory()
    stolen = captured_cookie(logged_in_client(app, user, user_agent="Old laptop"))
    owner = logged_in_client(app, user, user_agent="New phone")
    response = owner.post(
        "/account/password",
        data={
            "current_password": "correct horse battery staple",
            "new_password": "Un tout autre mot de passe 2024 !",
            "confirm_password": "Un tout autre mot de passe 2024 !",
        },
    )
    assert response.headers["Location"] == "/account/password"
    assert is_refused(replay(app, stolen))
    assert owner.get("/account/sessions").status_code == 200  # the changing session stays


def test_cookie_is_refused_after_an_administrator_ends_the_sessions(app):
    user = UserFactory()
    cookies = [captured_cookie(logged_in_client(app, user)) for _ in range(2)]
    assert end_sessions(user, reason="ended by an administrator") == 2
    db.session.commit()
    assert all(is_refused(replay(app, cookie)) for cookie in cookies)
    assert end_sessions(user, reason="again") == 0


def test_deactivation_ends_the_sessions_for_good(app):
    admin, user = UserFactory(admin=True), UserFactory()
    cookie = captured_cookie(logged_in_client(app, user))
    set_active(admin, user, False)
    db.session.commit()
    assert is_refused(replay(app, cookie))
    set_active(admin, user, True)
    db.session.commit()
    assert is_refused(replay(app, cookie))  # reactivation does not revive old sessions
    assert {record.revoked_reason for record in sessions_of(user)} == {"deactivated"}


def test_session_token_changes_at_login(app, client):
    user = UserFactory()
    with client.session_transaction() as session:
        session[SESSION_KEY] = "planted-by-an-attacker"
    client.get("/login")
    before = captured_cookie(client)
    log_in(client, user)
    after = captured_cookie(client)
    assert after != before
    with client.session_transaction() as session:
        assert session[SESSION_KEY] != "planted-by-an-attacker"
    second = logged_in_client(app, user)
    with client.session_transaction() as one, second.session_transaction() as two:
        assert one[SESSION_KEY] != two[SESSION_KEY]


def test_a_user_id_without_a_session_record_is_anonymous(client):
    user = UserFactory()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)  # a forged or pre-upgrade cookie
    assert is_refused(client.get("/account/sessions"))
    with client.session_transaction() as session:
        session[SESSION_KEY] = "unknown-token"
    assert is_refused(client.get("/account/sessions"))


def test_a_session_record_only_authenticates_its_own_user(app):
    user, other = UserFactory(), UserFactory()
    client = logged_in_client(app, user)
    with client.session_transaction() as session:
        session["_user_id"] = str(other.id)
    assert is_refused(client.get("/account/sessions"))


def test_session_cookie_flags_and_lifetime(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    header = log_in(client, UserFactory()).headers["Set-Cookie"]
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" in header
    expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
    assert expires - utcnow() < timedelta(hours=12, minutes=1)  # not the 31-day default


def test_production_cookies_are_secure(monkeypatch, tmp_path, production_settings):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    production = {"ENV_NAME": "production", "SECRET_KEY": "s" * 40, "DEBUG": False}
    config = create_app({**production, **production_settings}).config
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["PERMANENT_SESSION_LIFETIME"] < timedelta(days=31)


def test_session_older_than_the_lifetime_is_refused(app):
    user = UserFactory()
    client = logged_in_client(app, user)
    [record] = sessions_of(user)
    record.created_at = utcnow() - app.permanent_session_lifetime - timedelta(seconds=1)
    db.session.commit()
    assert is_refused(client.get("/account/sessions"))


def test_idle_session_is_refused_and_a_used_one_lives_on(app):
    user = UserFactory()
    client = logged_in_client(app, user)
    [record] = sessions_of(user)
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    record.last_seen_at = utcnow() - idle + timedelta(minutes=5)
    db.session.commit()
    assert client.get("/account/sessions").status_code == 200
    [record] = sessions_of(user)
    assert utcnow() - record.last_seen_at < timedelta(minutes=1)  # the visit was noted
    record.last_seen_at = utcnow() - idle - timedelta(seconds=1)
    db.session.commit()
    assert is_refused(client.get("/account/sessions"))


def test_last_seen_is_written_at_most_once_a_minute(app):
    user = UserFactory()
    client = logged_in_client(app, user)
    [record] = sessions_of(user)
    recent = utcnow() - timedelta(seconds=30)
    record.last_seen_at = recent
    db.session.commit()
    client.get("/account/sessions")
    [record] = sessions_of(user)
    assert record.last_seen_at == recent
    record.last_seen_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    client.get("/account/sessions")
    [record] = sessions_of(user)
    assert utcnow() - record.last_seen_at < timedelta(seconds=30)


def test_deleting_a_user_deletes_their_sessions(app):
    user = UserFactory()
    logged_in_client(app, user)
    db.session.delete(user)
    db.session.commit()
    assert db.session.scalars(db.select(UserSession)).all() == []
