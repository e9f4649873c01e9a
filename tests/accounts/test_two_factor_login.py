"""Logging in with the second factor: right, wrong, replayed and expired codes, recovery codes,
throttling; people without the factor log in with their password alone."""

from __future__ import annotations

import logging

import pytest

from lms.accounts.signin import PENDING_LOGIN_KEY
from lms.accounts.views import SESSION_KEY
from tests.accounts.two_factor_helpers import (
    code_at,
    logged_in_user_id,
    second_step,
    start_login,
    wrong_code,
)
from tests.factories import MembershipFactory, UserFactory
from tests.web.helpers import enrol_two_factor, form_errors, text

INVALID = "This code is not valid."


@pytest.fixture
def enrolled():
    """Return a learner with the second factor on, and their recovery codes."""
    user = UserFactory(email="sam@example.org")
    return user, enrol_two_factor(user)


def log_out(client) -> None:
    """Log the client out."""
    client.post("/logout")


def test_the_password_alone_does_not_log_in(client, enrolled):
    user, _ = enrolled
    response = start_login(client, user)
    assert response.headers["Location"] == "/login/two-factor"
    assert logged_in_user_id(client) is None
    assert client.get("/account/sessions").headers["Location"].startswith("/login?next=")
    page = client.get("/login/two-factor")
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.get_data(as_text=True)


def test_the_right_code_logs_in_with_a_new_session_and_follows_next(client, enrolled):
    user, _ = enrolled
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    response = start_login(client, user, next_path="/account/sessions")
    assert response.headers["Location"] == "/login/two-factor?next=/account/sessions"
    response = second_step(client, code_at(0), location=response.headers["Location"])
    assert response.headers["Location"] == "/account/sessions"
    assert logged_in_user_id(client) == str(user.id)
    with client.session_transaction() as session:
        assert "planted" not in session  # a fresh session: no fixation
        assert PENDING_LOGIN_KEY not in session
        assert session[SESSION_KEY]


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "javascript:alert(1)"])
def test_an_unsafe_next_lands_on_the_home_page(client, enrolled, target):
    user, _ = enrolled
    location = start_login(client, user, next_path=target).headers["Location"]
    assert location == "/login/two-factor"
    assert second_step(client, code_at(0), location=location).headers["Location"] == "/"


def test_a_wrong_code_shows_the_form_again(client, enrolled, caplog):
    user, _ = enrolled
    start_login(client, user)
    with caplog.at_level(logging.INFO, logger="lms.security"):
        response = second_step(client, wrong_code())
    assert response.status_code == 200
    assert text(INVALID) in response.get_data(as_text=True)
    assert logged_in_user_id(client) is None
    assert any("login.second_factor_failure" in line for line in caplog.messages)
    # The pending login survives a typo.
    assert second_step(client, code_at(0)).headers["Location"] == "/"


def test_a_code_works_once_and_the_next_step_works_after_it(client, enrolled):
    user, _ = enrolled
    start_login(client, user)
    assert second_step(client, code_at(0)).headers["Location"] == "/"
    log_out(client)
    start_login(client, user)
    assert second_step(client, code_at(0)).status_code == 200  # replayed: refused
    assert second_step(client, code_at(-1)).status_code == 200  # older: refused too
    assert logged_in_user_id(client) is None
    assert second_step(client, code_at(1)).headers["Location"] == "/"


def test_codes_outside_the_window_are_refused(client, enrolled):
    user, _ = enrolled
    start_login(client, user)
    assert second_step(client, code_at(-3)).status_code == 200
    assert second_step(client, code_at(3)).status_code == 200
    assert logged_in_user_id(client) is None


def test_an_expired_pending_login_sends_back_to_the_login_page(client, enrolled):
    user, _ = enrolled
    start_login(client, user)
    with client.session_transaction() as session:
        session[PENDING_LOGIN_KEY] = {**session[PENDING_LOGIN_KEY], "expires": 1}
    response = second_step(client, code_at(0))
    assert response.headers["Location"] == "/login"
    assert logged_in_user_id(client) is None


def test_a_pending_login_lasts_five_minutes(client, enrolled):
    user, _ = enrolled
    start_login(client, user)
    with client.session_transaction() as session:
        state = session[PENDING_LOGIN_KEY]
    from lms.core.time import utcnow

    assert 290 <= state["expires"] - utcnow().timestamp() <= 300


def test_the_second_step_without_a_pending_login(client, enrolled):
    response = client.get("/login/two-factor?next=/dashboard")
    assert response.headers["Location"] == "/login?next=/dashboard"
    assert second_step(client, code_at(0)).headers["Location"] == "/login"
    assert logged_in_user_id(client) is None


def test_a_forged_pending_state_is_ignored(client, enrolled):
    user, _ = enrolled
    with client.session_transaction() as session:
        session[PENDING_LOGIN_KEY] = {"user_id": str(user.id), "expires": 2**40}
    assert second_step(client, code_at(0)).headers["Location"] == "/login"
    assert logged_in_user_id(client) is None


def test_a_user_deactivated_meanwhile_cannot_finish(client, enrolled):
    from lms.extensions import db

    user, _ = enrolled
    start_login(client, user)
    user.is_active = False
    db.session.commit()
    assert second_step(client, code_at(0)).headers["Location"] == "/login"
    assert logged_in_user_id(client) is None


def test_a_recovery_code_works_once(client, enrolled):
    user, codes = enrolled
    start_login(client, user)
    response = second_step(client, codes[0])
    assert response.headers["Location"] == "/"
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    message = "You used a recovery code; %(count)d remain. Make new ones from your account."
    assert text(message, count=9) in page
    log_out(client)
    start_login(client, user)
    refused = second_step(client, codes[0])
    assert refused.status_code == 200
    assert text(INVALID) in refused.get_data(as_text=True)
    # Spaces, capitals and a missing dash do not matter.
    typed = "  " + codes[1].upper().replace("-", " ", 1) + " "
    assert second_step(client, typed).headers["Location"] == "/"


def test_another_users_recovery_code_does_not_work(client, enrolled):
    user, _ = enrolled
    other_codes = enrol_two_factor(UserFactory())
    start_login(client, user)
    assert second_step(client, other_codes[0]).status_code == 200
    assert logged_in_user_id(client) is None


def test_the_sixth_wrong_code_within_a_minute_is_throttled(client, enrolled):
    user, _ = enrolled
    start_login(client, user)
    statuses = [second_step(client, wrong_code()).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # Even the right code waits for the window to pass.
    assert second_step(client, code_at(0)).status_code == 429
    assert logged_in_user_id(client) is None


def test_the_account_limit_holds_across_new_password_steps(app, enrolled):
    user, _ = enrolled
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        start_login(client, user)
        statuses = [second_step(client, wrong_code()).status_code for _ in range(2)]
    assert statuses == [200, 429]


def test_wrong_codes_for_many_accounts_from_one_address_are_throttled(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN_IP", "3 per minute")
    statuses = []
    for _ in range(2):
        user = UserFactory()
        enrol_two_factor(user)
        start_login(client, user)
        statuses += [second_step(client, wrong_code()).status_code for _ in range(2)]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize("trainer", [False, True], ids=["learner", "trainer"])
def test_people_without_the_factor_log_in_with_their_password(client, trainer):
    user = UserFactory()
    MembershipFactory(user=user, trainer=trainer)
    assert start_login(client, user).headers["Location"] == "/"
    assert logged_in_user_id(client) == str(user.id)


def test_the_second_step_page_shows_a_form_error_box_only_for_form_errors(client, enrolled):
    user, _ = enrolled
    start_login(client, user)
    html = second_step(client, "").get_data(as_text=True)
    assert form_errors(html) == ""
    assert 'class="field__errors"' in html
