"""Setting up the second factor: QR code, first code, recovery codes shown once."""

from __future__ import annotations

import logging
import re

import pyotp
import pytest

from lms.accounts import twofactor
from lms.accounts.models import AuditEvent
from lms.extensions import db
from tests.accounts.two_factor_helpers import (
    key_on_page,
    recovery_code_rows,
    recovery_codes_on_page,
    reloaded,
    wrong_code,
)
from tests.factories import UserFactory
from tests.web.helpers import log_in, text


@pytest.fixture
def learner(client):
    """Return a learner without the second factor, logged in with ``client``."""
    user = UserFactory(email="lea@example.org")
    log_in(client, user)
    return user


def enrolment_page(client) -> str:
    """Return the HTML of the enrolment page."""
    response = client.get("/account/two-factor")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_enrolment_page_shows_an_inline_qr_code_without_style_and_the_key(client, learner):
    html = enrolment_page(client)
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'class="qr-code"' in svg
    assert "<path" in svg
    assert "style" not in svg  # the CSP refuses inline styles
    assert not re.search(r"\sstyle=", html)
    key = key_on_page(html)
    assert len(key) == 32  # 160 bits
    assert re.fullmatch(r"[A-Z2-7]{32}", key)


def test_the_key_is_the_same_on_reload_and_only_encrypted_in_the_session(client, learner):
    key = key_on_page(enrolment_page(client))
    assert key_on_page(enrolment_page(client)) == key
    with client.session_transaction() as session:
        assert key not in str(dict(session))


def test_a_wrong_code_is_refused_beside_the_field(client, learner):
    key = key_on_page(enrolment_page(client))
    response = client.post("/account/two-factor", data={"code": wrong_code(key)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="field__errors"' in html
    message = "This code is not valid. Check your device's clock and type the current code."
    assert text(message) in html
    assert not reloaded(learner).two_factor_enabled
    assert recovery_code_rows(learner) == []


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "１２３４５６"])
def test_malformed_codes_are_refused(client, learner, code):
    enrolment_page(client)
    response = client.post("/account/two-factor", data={"code": code})
    assert response.status_code == 200
    assert 'class="field__errors"' in response.get_data(as_text=True)
    assert not reloaded(learner).two_factor_enabled


def test_the_right_code_turns_it_on_and_shows_ten_recovery_codes_once(client, learner, caplog):
    key = key_on_page(enrolment_page(client))
    with caplog.at_level(logging.INFO, logger="lms.security"):
        response = client.post("/account/two-factor", data={"code": pyotp.TOTP(key).now()})
    assert response.status_code == 200
    codes = recovery_codes_on_page(response.get_data(as_text=True))
    assert len(codes) == len(set(codes)) == 10
    user = reloaded(learner)
    assert user.two_factor_enabled
    assert twofactor.decrypt_secret(user.totp_secret_encrypted) == key
    assert key not in user.totp_secret_encrypted  # encrypted at rest
    stored = {row.code_hash for row in recovery_code_rows(user)}
    assert len(stored) == 10
    assert not stored & {code.replace("-", "") for code in codes}
    [event] = db.session.scalars(db.select(AuditEvent).filter_by(action="user.enable_2fa"))
    assert (event.actor_id, event.object_id) == (user.id, str(user.id))
    assert any('"action": "user.enable_2fa"' in line for line in caplog.messages)
    # Shown once: the page now manages the factor, without the codes.
    html = enrolment_page(client)
    assert recovery_codes_on_page(html) == []
    assert not any(code in html for code in codes)
    assert (
        text(
            "Two-step verification is on: logging in asks a code from your app after your password."
        )
        in html
    )


def test_the_code_of_the_previous_step_is_still_accepted(client, learner):
    key = key_on_page(enrolment_page(client))
    previous = pyotp.TOTP(key).generate_otp(twofactor.current_step() - 1)
    client.post("/account/two-factor", data={"code": previous})
    assert reloaded(learner).two_factor_enabled


def test_enrolment_needs_a_login(client):
    response = client.get("/account/two-factor")
    assert response.headers["Location"] == "/login?next=%2Faccount%2Ftwo-factor"


def test_enrolment_confirmation_is_protected_by_csrf(client, csrf_enabled, learner):
    key = key_on_page(enrolment_page(client))
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(key).now()})
    assert response.status_code == 400
    assert not reloaded(learner).two_factor_enabled
