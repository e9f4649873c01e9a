"""Password reset and invitation by e-mail (SECURITY.md A3, A4), through a real SMTP server."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext

import lms.accounts.tokens
from lms.accounts.models import AuditEvent, PasswordToken, TokenPurpose
from lms.accounts.sessions import hash_token
from lms.accounts.tokens import send_invitation, send_password_reset
from lms.core.time import utcnow
from lms.extensions import db
from tests.accounts.helpers import captured_cookie, is_refused, logged_in_client, replay
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.smtp import body_of
from tests.web.helpers import log_in, text

NEW_PASSWORD = "Un tout autre mot de passe 2024 !"
LINK = re.compile(r"http://localhost/password/reset/([A-Za-z0-9_-]+)")
INVALID = "This link is no longer valid"
RESET_SENT = (
    "If an account exists for this address, we have sent it a link to choose a new password. "
    "The link works once, for 60 minutes."
)


def link_in(message) -> str:
    """Return the reset link of a received e-mail."""
    return LINK.search(body_of(message)).group(0)


def token_in(message) -> str:
    """Return the token of the reset link of a received e-mail."""
    return LINK.search(body_of(message)).group(1)


def set_password_through(client, link: str, password: str = NEW_PASSWORD, confirm=None):
    """Open an e-mailed link, then submit the new password; return the last response."""
    opened = client.get(link)
    assert opened.headers["Location"] == "/password/reset/choose"
    data = {"new_password": password, "confirm_password": password if confirm is None else confirm}
    return client.post("/password/reset/choose", data=data)


def tokens() -> list[PasswordToken]:
    """Return every stored token, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(db.select(PasswordToken).order_by(PasswordToken.id)))


def test_forgot_page_asks_for_the_email(client):
    html = client.get("/password/forgot").get_data(as_text=True)
    assert 'name="email"' in html
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)


def test_reset_by_email_end_to_end(app, client, smtp_server):
    user = UserFactory(email="camille@example.org", locale="en")
    response = client.post("/password/forgot", data={"email": "Camille@Example.org"})
    assert response.headers["Location"] == "/password/forgot"
    [message] = smtp_server
    assert message["To"] == "camille@example.org"
    assert message["Subject"] == "Reset your password"
    response = set_password_through(client, link_in(message))
    assert response.headers["Location"] == "/login"
    assert log_in(client, user).status_code == 200  # the old password no longer works
    assert log_in(app.test_client(), user, NEW_PASSWORD).headers["Location"] == "/"
    assert [event.action for event in db.session.scalars(db.select(AuditEvent))] == [
        "user.password_reset"
    ]


def test_token_is_long_random_and_stored_only_as_a_digest(client, smtp_server):
    UserFactory(email="camille@example.org")
    client.post("/password/forgot", data={"email": "camille@example.org"})
    client.post("/password/forgot", data={"email": "camille@example.org"})
    first, second = (token_in(message) for message in smtp_server)
    assert len(first) >= 43  # 256 random bits
    assert first != second
    records = tokens()
    assert [record.token_hash for record in records] == [hash_token(first), hash_token(second)]
    assert all(record.purpose == TokenPurpose.RESET for record in records)
    assert records[0].expires_at - records[0].created_at == timedelta(minutes=60)


def test_unknown_and_known_emails_get_the_same_answer(app, smtp_server):
    UserFactory(email="known@example.org")
    UserFactory(email="inactive@example.org", inactive=True)
    answers = []
    for email in ("known@example.org", "nobody@example.org", "inactive@example.org"):
        client = app.test_client()
        response = client.post("/password/forgot", data={"email": email})
        page = client.get(response.headers["Location"])
        answers.append((response.status_code, response.headers["Location"], page.get_data()))
    assert answers[0] == answers[1] == answers[2]
    assert text(RESET_SENT) in answers[0][2].decode()
    assert [message["To"] for message in smtp_server] == ["known@example.org"]


def test_unknown_email_still_does_the_work_of_a_reset(client, monkeypatch):
    made = []
    real = lms.accounts.tokens.secrets.token_urlsafe
    monkeypatch.setattr(
        lms.accounts.tokens.secrets, "token_urlsafe", lambda n: made.append(n) or real(n)
    )
    client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert made == [32]
    assert tokens() == []


def test_link_works_only_once(client, smtp_server):
    UserFactory(email="camille@example.org")
    client.post("/password/forgot", data={"email": "camille@example.org"})
    link = link_in(smtp_server[0])
    set_password_through(client, link)
    reused = set_password_through(client, link, password="Encore un autre mot de passe 99")
    assert reused.status_code == 400
    assert text(INVALID) in reused.get_data(as_text=True)
    assert tokens()[0].used_at is not None


def invalid_page(client, link: str):
    """Open a link and return the page it ends on."""
    client.get(link)
    return client.get("/password/reset/choose")


def test_expired_unknown_and_superseded_links_get_one_page(app, smtp_server):
    user = UserFactory(email="camille@example.org")
    send_password_reset(user)
    send_password_reset(user)
    db.session.commit()
    expired_link, changed_link = (link_in(message) for message in smtp_server)
    record = tokens()[0]
    record.expires_at = utcnow() - timedelta(seconds=1)
    user.set_password("Mot de passe changé ailleurs 2024")  # voids every outstanding link
    db.session.commit()
    pages = [
        invalid_page(app.test_client(), link)
        for link in (expired_link, changed_link, "http://localhost/password/reset/" + "A" * 43)
    ]
    assert {page.status_code for page in pages} == {400}
    assert len({page.get_data() for page in pages}) == 1
    assert text(INVALID) in pages[0].get_data(as_text=True)
    assert invalid_page(app.test_client(), "/password/reset/choose").status_code == 400


def test_link_of_a_deactivated_account_is_refused(app, client, smtp_server):
    user = UserFactory(email="camille@example.org")
    send_password_reset(user)
    user.is_active = False
    db.session.commit()
    assert invalid_page(client, link_in(smtp_server[0])).status_code == 400


@pytest.mark.parametrize(
    ("password", "confirm", "field"),
    [
        ("short", None, "new_password"),
        ("password1234", None, "new_password"),
        (NEW_PASSWORD, "something else entirely", "confirm_password"),
    ],
)
def test_bad_new_password_keeps_the_link_usable(client, smtp_server, password, confirm, field):
    user = UserFactory(email="camille@example.org")
    client.post("/password/forgot", data={"email": user.email})
    link = link_in(smtp_server[0])
    response = set_password_through(client, link, password=password, confirm=confirm)
    assert response.status_code == 200
    assert f'id="{field}-errors"' in response.get_data(as_text=True)
    assert tokens()[0].used_at is None
    assert set_password_through(client, link).headers["Location"] == "/login"


def test_reset_logs_the_user_out_everywhere(app, client, smtp_server):
    user = UserFactory(email="camille@example.org")
    cookie = captured_cookie(logged_in_client(app, user))
    client.post("/password/forgot", data={"email": user.email})
    set_password_through(client, link_in(smtp_server[0]))
    assert is_refused(replay(app, cookie))


def test_reset_in_a_logged_in_browser_logs_it_out(app, smtp_server):
    user = UserFactory(email="camille@example.org")
    client = logged_in_client(app, user)
    client.post("/password/forgot", data={"email": user.email})
    set_password_through(client, link_in(smtp_server[0]))
    assert is_refused(client.get("/account/sessions"))


def test_the_token_is_never_logged(client, smtp_server, caplog):
    caplog.set_level("DEBUG")
    UserFactory(email="camille@example.org")
    client.post("/password/forgot", data={"email": "camille@example.org"})
    token = token_in(smtp_server[0])
    set_password_through(client, link_in(smtp_server[0]))
    # Everything the application logged (the test SMTP server's own log aside).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    assert "password_reset" in logged
    assert token not in logged
    assert hash_token(token) not in logged
    actions = [r.security_event["action"] for r in caplog.records if hasattr(r, "security_event")]
    assert "password_reset.requested" in actions
    assert "password_reset.completed" in actions


def test_reset_page_keeps_the_token_out_of_the_address(client, smtp_server):
    UserFactory(email="camille@example.org")
    client.post("/password/forgot", data={"email": "camille@example.org"})
    token = token_in(smtp_server[0])
    response = client.get(link_in(smtp_server[0]))
    assert token not in response.headers["Location"]
    assert token not in client.get("/password/reset/choose").get_data(as_text=True)


def test_invitation_lets_a_new_user_choose_a_password(app, client, smtp_server):
    admin = UserFactory(admin=True, display_name="Alice Admin")
    user = UserFactory(email="new@example.org", locale="en")
    user.password_hash = None
    db.session.commit()
    send_invitation(user, invited_by=admin)
    db.session.commit()
    [message] = smtp_server
    assert message["Subject"] == "Your account is ready: choose your password"
    assert "Alice Admin" in body_of(message)
    assert tokens()[0].expires_at - tokens()[0].created_at == timedelta(days=7)
    client.get(link_in(message))
    page = client.get("/password/reset/choose").get_data(as_text=True)
    assert text("Choose your password") in page
    response = client.post(
        "/password/reset/choose",
        data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert response.headers["Location"] == "/login"
    assert log_in(client, user, NEW_PASSWORD).headers["Location"] == "/"


def test_emails_are_written_in_the_users_language(smtp_server):
    for locale in ("fr", "en"):
        send_password_reset(UserFactory(locale=locale))
    subjects = [message["Subject"] for message in smtp_server]
    for locale, subject in zip(("fr", "en"), subjects, strict=True):
        with force_locale(locale):
            assert subject == gettext("Reset your password")
    assert subjects[1] == "Reset your password"


def test_links_use_the_configured_base_url_whatever_the_host_header(
    app, client, smtp_server, monkeypatch
):
    monkeypatch.setitem(app.config, "BASE_URL", "https://lms.example.org/")
    UserFactory(email="camille@example.org")
    client.post(
        "/password/forgot",
        data={"email": "camille@example.org"},
        headers={"Host": "evil.example"},
    )
    body = body_of(smtp_server[0])
    assert "https://lms.example.org/password/reset/" in body
    assert "evil.example" not in body


def test_mail_failure_gives_the_same_answer(app, client, monkeypatch):
    from tests.smtp import free_port

    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    UserFactory(email="camille@example.org")
    known = client.post("/password/forgot", data={"email": "camille@example.org"})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert known.headers["Location"] == unknown.headers["Location"] == "/password/forgot"


def test_reset_needs_a_csrf_token(client, smtp_server, csrf_enabled):
    UserFactory(email="camille@example.org")
    assert client.post("/password/forgot", data={"email": "camille@example.org"}).status_code == (
        400
    )
    assert smtp_server == []


def test_old_password_is_kept_until_the_reset(client, smtp_server):
    user = UserFactory(email="camille@example.org")
    client.post("/password/forgot", data={"email": user.email})
    assert log_in(client, user, DEFAULT_PASSWORD).headers["Location"] == "/"
