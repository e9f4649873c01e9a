"""Creating and editing accounts, and the actions on them: each audited, each refusal tested."""

from __future__ import annotations

import re

import pytest

from lms.accounts.models import PasswordToken, TokenPurpose, User
from lms.accounts.services import find_user_by_email
from lms.extensions import db
from tests.admin.helpers import audit_events, field_errors
from tests.factories import UserFactory
from tests.smtp import body_of
from tests.web.helpers import log_in, text

NEW_PASSWORD = "Un mot de passe tout neuf 2025 !"
NEW_USER = {"email": "  Zoe.New@Example.org ", "display_name": "Zoé Nouvelle", "locale": "en"}


def flashes(html: str) -> str:
    """Return the flashed messages of a page."""
    return " ".join(re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', html, re.S))


def logged_in_client(app, user):
    """Return a second browser where ``user`` is logged in."""
    browser = app.test_client()
    log_in(browser, user)
    assert browser.get("/dashboard").status_code == 200
    return browser


def is_logged_out(browser) -> bool:
    """Tell whether the browser's session has been ended (it is sent to the login page)."""
    return browser.get("/dashboard").headers.get("Location", "").startswith("/login")


# Create ----------------------------------------------------------------------------------------


def test_new_user_form_shows(client, admin):
    html = client.get("/admin/users/new").get_data(as_text=True)
    assert 'name="email"' in html
    assert 'name="is_admin"' in html


def test_create_user_without_password_sends_an_invitation_and_audits(client, admin, smtp_server):
    response = client.post("/admin/users/new", data={**NEW_USER, "is_admin": "y"})
    user = find_user_by_email("zoe.new@example.org")
    assert response.headers["Location"] == f"/admin/users/{user.id}/edit"
    assert (user.display_name, user.locale, user.is_admin) == ("Zoé Nouvelle", "en", True)
    assert user.password_hash is None
    [message] = smtp_server
    assert message["To"] == "zoe.new@example.org"
    body = body_of(message)
    assert "Hello Zoé Nouvelle," in body  # in the new user's language, English
    assert "Alice Admin" in body
    token = db.session.scalars(db.select(PasswordToken).filter_by(user_id=user.id)).one()
    assert token.purpose == TokenPurpose.INVITATION
    [event] = audit_events("user.create")
    assert event.actor_id == admin.id
    assert event.object_id == str(user.id)
    assert event.after == {
        "email": "zoe.new@example.org",
        "display_name": "Zoé Nouvelle",
        "is_admin": True,
    }


def test_the_invited_person_chooses_a_password_and_logs_in(app, client, admin, smtp_server):
    client.post("/admin/users/new", data=NEW_USER)
    link = re.search(r"https?://\S+/password/reset/\S+", body_of(smtp_server[0])).group(0)
    browser = app.test_client()
    assert browser.get(link).headers["Location"] == "/password/reset/choose"
    choose = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert browser.post("/password/reset/choose", data=choose).headers["Location"] == "/login"
    user = find_user_by_email("zoe.new@example.org")
    assert log_in(browser, user, NEW_PASSWORD).headers["Location"] == "/"


def test_create_refuses_an_email_taken_whatever_its_case(client, admin, smtp_server):
    UserFactory(email="zoe.new@example.org")
    response = client.post("/admin/users/new", data={**NEW_USER, "email": "ZOE.NEW@example.org"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert text("Another account already uses this e-mail address.") in field_errors(html, "email")
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2
    assert smtp_server == []
    assert audit_events("user.create") == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "two@@example.org"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "nul\x00@example.org"}, "email"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 121}, "display_name"),
        ({"locale": "de"}, "locale"),
    ],
)
def test_create_refuses_bad_input_field_by_field(client, admin, smtp_server, changes, field):
    response = client.post("/admin/users/new", data={**NEW_USER, **changes})
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
    assert smtp_server == []


def test_create_keeps_nothing_when_the_invitation_cannot_be_sent(client, admin, mail_server_down):
    response = client.post("/admin/users/new", data=NEW_USER)
    assert response.status_code == 200
    assert text("The e-mail could not be sent. Nothing was changed; try again later.") in (
        response.get_data(as_text=True)
    )
    assert find_user_by_email("zoe.new@example.org") is None
    assert audit_events("user.create") == []


# Edit ------------------------------------------------------------------------------------------


def test_edit_form_is_filled_with_the_account(client, admin):
    user = UserFactory(email="bruno@example.org", display_name="Bruno", locale="en")
    html = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert 'value="bruno@example.org"' in html
    assert re.search(r'<option selected value="en">|<option value="en" selected>', html)


def test_edit_saves_and_audits_what_changed(client, admin):
    user = UserFactory(email="bruno@example.org", display_name="Bruno", locale="fr")
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={"email": "Bruno.B@example.org", "display_name": "Bruno B", "locale": "fr"},
    )
    assert response.headers["Location"] == f"/admin/users/{user.id}/edit"
    db.session.refresh(user)
    assert (user.email, user.display_name) == ("bruno.b@example.org", "Bruno B")
    [event] = audit_events("user.update")
    assert event.actor_id == admin.id
    assert event.before == {"email": "bruno@example.org", "display_name": "Bruno"}
    assert event.after == {"email": "bruno.b@example.org", "display_name": "Bruno B"}
    assert text("Changes saved.") in flashes(client.get(response.headers["Location"]).text)


def test_edit_without_change_records_nothing(client, admin):
    user = UserFactory(email="bruno@example.org", display_name="Bruno", locale="fr")
    data = {"email": "bruno@example.org", "display_name": "Bruno", "locale": "fr"}
    client.post(f"/admin/users/{user.id}/edit", data=data)
    assert audit_events("user.update") == []


def test_edit_refuses_an_email_of_another_account(client, admin):
    UserFactory(email="taken@example.org")
    user = UserFactory(email="bruno@example.org", display_name="Bruno")
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={"email": "TAKEN@example.org", "display_name": "Bruno", "locale": "fr"},
    )
    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True), "email")
    assert text("Another account already uses this e-mail address.") in errors
    db.session.refresh(user)
    assert user.email == "bruno@example.org"
    assert audit_events("user.update") == []


def test_edit_of_a_missing_user_is_404(client, admin):
    assert client.get("/admin/users/999999/edit").status_code == 404
    assert client.post("/admin/users/999999/deactivate").status_code == 404


# Actions ---------------------------------------------------------------------------------------


def test_deactivate_ends_sessions_and_audits(app, client, admin):
    user = UserFactory(display_name="Bruno")
    browser = logged_in_client(app, user)
    response = client.post(f"/admin/users/{user.id}/deactivate")
    assert response.headers["Location"] == f"/admin/users/{user.id}/edit"
    db.session.refresh(user)
    assert user.is_active is False
    assert is_logged_out(browser)
    [event] = audit_events("user.deactivate")
    assert (event.actor_id, event.before, event.after) == (
        admin.id,
        {"is_active": True},
        {"is_active": False},
    )
    assert text("%(name)s can no longer log in.", name="Bruno") in flashes(
        client.get(response.headers["Location"]).text
    )


def test_reactivate(client, admin):
    user = UserFactory(inactive=True)
    client.post(f"/admin/users/{user.id}/reactivate")
    db.session.refresh(user)
    assert user.is_active is True
    assert len(audit_events("user.reactivate")) == 1


def test_an_administrator_cannot_deactivate_themself(client, admin):
    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert text("You cannot deactivate your own account.") in flashes(response.text)
    db.session.refresh(admin)
    assert admin.is_active is True
    assert audit_events("user.deactivate") == []


def test_grant_admin_is_audited(client, admin):
    user = UserFactory(display_name="Bruno")
    response = client.post(f"/admin/users/{user.id}/grant-admin")
    assert response.headers["Location"] == f"/admin/users/{user.id}/edit"
    db.session.refresh(user)
    assert user.is_admin is True
    [event] = audit_events("user.grant_admin")
    assert (event.actor_id, event.object_id, event.before, event.after) == (
        admin.id,
        str(user.id),
        {"is_admin": False},
        {"is_admin": True},
    )


def test_revoke_admin_ends_their_sessions_at_once(app, client, admin):
    other_admin = UserFactory(admin=True)
    browser = logged_in_client(app, other_admin)
    client.post(f"/admin/users/{other_admin.id}/revoke-admin")
    db.session.refresh(other_admin)
    assert other_admin.is_admin is False
    assert is_logged_out(browser)
    [event] = audit_events("user.revoke_admin")
    assert (event.before, event.after) == ({"is_admin": True}, {"is_admin": False})


@pytest.mark.parametrize("action", ["grant-admin", "revoke-admin"])
def test_an_administrator_cannot_change_their_own_rights(client, admin, action):
    response = client.post(f"/admin/users/{admin.id}/{action}", follow_redirects=True)
    assert text("You cannot change your own administrator rights.") in flashes(response.text)
    db.session.refresh(admin)
    assert admin.is_admin is True
    assert audit_events("user.revoke_admin") == audit_events("user.grant_admin") == []


def test_the_edit_page_offers_no_self_demotion(client, admin):
    html = client.get(f"/admin/users/{admin.id}/edit").get_data(as_text=True)
    assert f"/admin/users/{admin.id}/revoke-admin" not in html
    assert f"/admin/users/{admin.id}/deactivate" not in html
    other = UserFactory()
    html = client.get(f"/admin/users/{other.id}/edit").get_data(as_text=True)
    assert f"/admin/users/{other.id}/grant-admin" in html
    assert f"/admin/users/{other.id}/deactivate" in html


def test_send_reset_link_mails_a_link_and_audits(client, admin, smtp_server):
    user = UserFactory(email="bruno@example.org")
    response = client.post(f"/admin/users/{user.id}/send-reset")
    assert response.headers["Location"] == f"/admin/users/{user.id}/edit"
    [message] = smtp_server
    assert message["To"] == "bruno@example.org"
    assert "/password/reset/" in body_of(message)
    [event] = audit_events("user.send_reset")
    assert (event.actor_id, event.object_id) == (admin.id, str(user.id))


def test_send_reset_link_failure_says_so_and_records_nothing(client, admin, mail_server_down):
    user = UserFactory()
    response = client.post(f"/admin/users/{user.id}/send-reset", follow_redirects=True)
    assert text("The e-mail could not be sent. Nothing was changed; try again later.") in (
        flashes(response.text)
    )
    assert audit_events("user.send_reset") == []
    assert db.session.scalars(db.select(PasswordToken)).all() == []


def test_end_sessions_signs_the_user_out_everywhere(app, client, admin):
    user = UserFactory()
    browsers = [logged_in_client(app, user) for _ in range(2)]
    response = client.post(f"/admin/users/{user.id}/end-sessions")
    assert response.headers["Location"] == f"/admin/users/{user.id}/edit"
    assert all(is_logged_out(browser) for browser in browsers)
    [event] = audit_events("user.end_sessions")
    assert event.after == {"sessions_ended": 2}
    db.session.refresh(user)
    assert user.is_active is True
