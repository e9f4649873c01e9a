"""Password change page and the account services change_password and set_active."""

from __future__ import annotations

import re

import pytest
from flask_babel import gettext

from lms.accounts.models import AuditEvent
from lms.accounts.passwords import TOO_SHORT
from lms.accounts.services import AccountError, change_password, set_active
from lms.extensions import db
from tests.accounts.helpers import (
    captured_cookie,
    is_refused,
    logged_in_client,
    replay,
    sessions_of,
)
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.web.helpers import log_in, text

NEW_PASSWORD = "Un tout autre mot de passe 2024 !"
TOO_COMMON_MSGID = "This password is too common or too easy to guess."
MISMATCH = ("The two passwords are different.", {})


def field_errors(html: str, field: str) -> str:
    """Return the error messages shown under ``field`` ('' when there are none)."""
    match = re.search(rf'<ul class="field__errors" id="{field}-errors">(.*?)</ul>', html, re.S)
    return " ".join(re.findall(r"<li>(.*?)</li>", match.group(1), re.S)) if match else ""


def post_change(client, current=DEFAULT_PASSWORD, new=NEW_PASSWORD, confirm=None):
    """Submit the password-change form and return the response."""
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def audit_actions() -> list[str]:
    """Return the actions of the audit trail, oldest first."""
    return list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_page_shows_the_three_fields(app):
    html = logged_in_client(app, UserFactory()).get("/account/password").get_data(as_text=True)
    for name in ("current_password", "new_password", "confirm_password"):
        assert f'name="{name}"' in html
    assert 'autocomplete="new-password"' in html


def test_anonymous_visitors_are_sent_to_login(client):
    assert is_refused(client.get("/account/password"))
    assert post_change(client).headers["Location"].startswith("/login")


def test_change_sets_the_password_ends_other_sessions_and_is_audited(app, caplog):
    user = UserFactory()
    other_cookie = captured_cookie(logged_in_client(app, user))
    client = logged_in_client(app, user)
    response = post_change(client)
    assert response.headers["Location"] == "/account/password"
    assert is_refused(replay(app, other_cookie))
    page = client.get("/account/password").get_data(as_text=True)
    assert text("Your password has been changed; your other sessions have ended.") in page
    db.session.expire_all()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(DEFAULT_PASSWORD)
    assert [record.revoked_reason for record in sessions_of(user)] == ["password_changed", None]
    assert audit_actions() == ["user.password_change"]
    actions = [r.security_event["action"] for r in caplog.records if hasattr(r, "security_event")]
    assert "password_change" in actions
    assert NEW_PASSWORD not in caplog.text


def test_wrong_current_password_changes_nothing(app, caplog):
    user = UserFactory()
    client = logged_in_client(app, user)
    response = post_change(client, current="not my password at all")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert field_errors(html, "current_password") == text("Your current password is not correct.")
    db.session.expire_all()
    assert user.check_password(DEFAULT_PASSWORD)
    assert audit_actions() == []
    actions = [r.security_event["action"] for r in caplog.records if hasattr(r, "security_event")]
    assert "password_change.failure" in actions


@pytest.mark.parametrize(
    ("new", "confirm", "field", "message"),
    [
        ("short", None, "new_password", ("Use at least %(count)d characters.", {"count": 12})),
        ("password1234", None, "new_password", (TOO_COMMON_MSGID, {})),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "confirm_password", MISMATCH),
        ("", None, "new_password", None),  # WTForms' own "required" message
    ],
)
def test_bad_new_password_gets_a_field_error(app, new, confirm, field, message):
    user = UserFactory()
    client = logged_in_client(app, user)
    response = post_change(client, new=new, confirm=confirm)
    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True), field)
    assert errors
    if message:
        assert text(message[0], **message[1]) in errors
    db.session.expire_all()
    assert user.check_password(DEFAULT_PASSWORD)


def test_password_built_on_the_email_is_refused(app):
    user = UserFactory(email="camille.durand@example.org")
    client = logged_in_client(app, user)
    response = post_change(client, new="camille.durand!!")
    errors = field_errors(response.get_data(as_text=True), "new_password")
    assert text("Do not build the password on your e-mail address.") in errors


def test_new_password_works_at_login(app, client):
    user = UserFactory()
    post_change(logged_in_client(app, user))
    assert log_in(client, user).status_code == 200  # the old password is refused
    assert log_in(client, user, NEW_PASSWORD).headers["Location"] == "/"


def test_service_refuses_a_weak_password_and_keeps_the_given_session(app):
    user = UserFactory()
    logged_in_client(app, user)
    logged_in_client(app, user)
    keep, _ = sessions_of(user)
    with pytest.raises(AccountError, match=re.escape(str(TOO_SHORT))):
        change_password(user, "short")
    change_password(user, NEW_PASSWORD, current_session=keep)
    db.session.commit()
    assert [record.revoked_at is None for record in sessions_of(user)] == [True, False]


def test_administrator_cannot_deactivate_themself(app):
    admin = UserFactory(admin=True)
    refusal = re.escape(gettext("You cannot deactivate your own account."))
    with pytest.raises(AccountError, match=refusal):
        set_active(admin, admin, False)
    assert admin.is_active
    assert audit_actions() == []


def test_deactivation_and_reactivation_are_audited_once(app):
    admin, user = UserFactory(admin=True), UserFactory()
    set_active(admin, user, False)
    set_active(admin, user, False)  # no change, no event
    set_active(admin, user, True)
    db.session.commit()
    events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id, e.object_id) for e in events] == [
        ("user.deactivate", admin.id, str(user.id)),
        ("user.reactivate", admin.id, str(user.id)),
    ]
    assert events[0].after == {"is_active": False}
