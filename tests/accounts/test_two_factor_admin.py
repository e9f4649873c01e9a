"""Administrators and the second factor: required, confined until enrolled, never turned off;
what everyone may do on the management page; ``lms reset-two-factor``."""

from __future__ import annotations

import pyotp
import pytest

from lms.accounts.models import AuditEvent, User
from lms.accounts.services import set_admin
from lms.extensions import db
from tests.accounts.two_factor_helpers import (
    code_at,
    key_on_page,
    logged_in_user_id,
    recovery_code_rows,
    recovery_codes_on_page,
    reloaded,
    second_step,
    start_login,
    wrong_code,
)
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.web.helpers import enrol_two_factor, log_in, text

MUST_ENROL = "Administrators must set up two-step verification before anything else."
ADMIN_PAGES = ["/admin/", "/admin/users", "/admin/audit", "/admin/cohorts/"]


def audit_actions() -> list[str]:
    """Return the actions of every audit event, oldest first."""
    return list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_enrolled_administrator_never_reaches_admin_pages_with_the_password_alone(client):
    admin = UserFactory(admin=True)
    enrol_two_factor(admin)
    response = start_login(client, admin, next_path="/admin/")
    assert response.headers["Location"] == "/login/two-factor?next=/admin/"
    for page in ADMIN_PAGES:
        assert client.get(page).headers["Location"].startswith("/login?next=")
    second_step(client, wrong_code(), location=response.headers["Location"])
    assert client.get("/admin/").headers["Location"].startswith("/login?next=")
    # With the code, the administrator gets there.
    done = second_step(client, code_at(0), location=response.headers["Location"])
    assert done.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_administrator_without_the_factor_is_confined_to_enrolment(client):
    admin = UserFactory(admin=True)
    assert start_login(client, admin).headers["Location"] == "/"
    assert logged_in_user_id(client) == str(admin.id)
    for page in [*ADMIN_PAGES, "/dashboard", "/account/sessions", "/account/password", "/"]:
        assert client.get(page).headers["Location"] == "/account/two-factor", page
    users_before = db.session.scalar(db.select(db.func.count()).select_from(User))
    forged = client.post("/admin/users/new", data={"email": "x@example.org", "display_name": "X"})
    assert forged.headers["Location"] == "/account/two-factor"
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == users_before
    page = client.get("/account/two-factor", follow_redirects=True).get_data(as_text=True)
    assert text(MUST_ENROL) in page
    static = client.get("/static/css/app.css")
    assert static.status_code == 200
    static.close()
    # Enrolling through the page frees the administrator.
    key = key_on_page(page)
    assert (
        client.post("/account/two-factor", data={"code": pyotp.TOTP(key).now()}).status_code == 200
    )
    assert client.get("/admin/").status_code == 200


def test_a_confined_administrator_is_told_why_once_on_the_enrolment_page(client):
    admin = UserFactory(admin=True)
    start_login(client, admin)
    for page in ("/admin/users", "/account/two-factor"):
        html = client.get(page, follow_redirects=True).get_data(as_text=True)
        assert html.count(text(MUST_ENROL)) == 1, page


def test_a_confined_administrator_may_log_out(client):
    start_login(client, UserFactory(admin=True))
    assert client.post("/logout").headers["Location"] == "/login"
    assert logged_in_user_id(client) is None


def test_granting_administrator_rights_forces_enrolment_at_the_next_request(client):
    learner = UserFactory()
    log_in(client, learner)
    assert client.get("/dashboard").status_code == 200
    granting = UserFactory(admin=True)
    set_admin(granting, reloaded(learner), True)
    db.session.commit()
    assert client.get("/dashboard").headers["Location"] == "/account/two-factor"
    assert client.get("/admin/").headers["Location"] == "/account/two-factor"


def test_administrators_cannot_turn_it_off(client):
    admin = UserFactory(admin=True)
    log_in(client, admin)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert 'name="disable-password"' not in page
    assert text("Administrators must keep two-step verification on.") in page
    forged = client.post(
        "/account/two-factor/disable",
        data={"disable-password": DEFAULT_PASSWORD, "disable-code": code_at(1)},
    )
    assert forged.status_code == 200
    assert text("Administrators must keep two-step verification on.") in forged.get_data(
        as_text=True
    )
    assert reloaded(admin).two_factor_enabled
    assert len(recovery_code_rows(admin)) == 10


@pytest.fixture
def learner(client):
    """Return a learner with the second factor on, logged in through both steps."""
    user = UserFactory()
    enrol_two_factor(user)
    log_in(client, user)
    return user


def test_a_learner_turns_it_off_with_password_and_code(client, learner):
    wrong_password = client.post(
        "/account/two-factor/disable",
        data={"disable-password": "not my password at all", "disable-code": code_at(1)},
    )
    assert text("Your password is not correct.") in wrong_password.get_data(as_text=True)
    bad_code = client.post(
        "/account/two-factor/disable",
        data={"disable-password": DEFAULT_PASSWORD, "disable-code": wrong_code()},
    )
    assert text("This code is not valid.") in bad_code.get_data(as_text=True)
    assert reloaded(learner).two_factor_enabled
    done = client.post(
        "/account/two-factor/disable",
        data={"disable-password": DEFAULT_PASSWORD, "disable-code": code_at(1)},
    )
    assert done.headers["Location"] == "/account/two-factor"
    user = reloaded(learner)
    assert not user.two_factor_enabled
    assert user.totp_secret_encrypted is None
    assert recovery_code_rows(user) == []
    assert "user.disable_2fa" in audit_actions()
    client.post("/logout")
    assert start_login(client, user).headers["Location"] == "/"


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(client, learner):
    old = {row.code_hash for row in recovery_code_rows(learner)}
    refused = client.post("/account/two-factor/recovery-codes", data={"codes-code": wrong_code()})
    assert text("This code is not valid.") in refused.get_data(as_text=True)
    assert {row.code_hash for row in recovery_code_rows(learner)} == old
    response = client.post("/account/two-factor/recovery-codes", data={"codes-code": code_at(1)})
    codes = recovery_codes_on_page(response.get_data(as_text=True))
    assert len(codes) == 10
    new = {row.code_hash for row in recovery_code_rows(learner)}
    assert len(new) == 10
    assert not new & old
    assert "user.regenerate_recovery_codes" in audit_actions()


def test_moving_to_a_new_device(client, learner):
    refused = client.post("/account/two-factor/new-device", data={"device-code": wrong_code()})
    assert text("This code is not valid.") in refused.get_data(as_text=True)
    started = client.post("/account/two-factor/new-device", data={"device-code": code_at(1)})
    assert started.headers["Location"] == "/account/two-factor"
    new_key = key_on_page(client.get("/account/two-factor").get_data(as_text=True))
    assert client.post("/account/two-factor", data={"code": pyotp.TOTP(new_key).now()})
    client.post("/logout")
    start_login(client, learner)
    assert second_step(client, code_at(1)).status_code == 200  # the old device no longer works
    assert second_step(client, code_at(1, new_key)).headers["Location"] == "/"


def test_keeping_the_current_device_cancels_the_move(client, learner):
    client.post("/account/two-factor/new-device", data={"device-code": code_at(1)})
    page = client.get("/account/two-factor?keep=1").get_data(as_text=True)
    assert 'name="codes-code"' in page
    assert 'class="qr-code"' not in page


def test_management_pages_need_the_factor_on(client):
    log_in(client, UserFactory())
    for url in ("recovery-codes", "new-device", "disable"):
        response = client.post(f"/account/two-factor/{url}", data={})
        assert response.headers["Location"] == "/account/two-factor"


def test_wrong_codes_on_the_management_page_are_throttled(client, learner):
    statuses = [
        client.post(
            "/account/two-factor/recovery-codes", data={"codes-code": wrong_code()}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]
