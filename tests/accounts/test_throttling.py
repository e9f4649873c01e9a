"""Throttling of every authentication path (SECURITY.md A2): per account and per address."""

from __future__ import annotations

import time

import limits.storage.memory
import pytest
from flask import Flask

from lms.config import load_config
from lms.extensions import limiter
from tests.accounts.helpers import logged_in_client
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.web.helpers import log_in, text

WRONG = "not the right password"


def from_address(app, address: str):
    """Return a client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def fail_login(client, email: str, times: int) -> list[int]:
    """Post wrong passwords for ``email``; return the statuses."""
    return [
        client.post("/login", data={"email": email, "password": WRONG}).status_code
        for _ in range(times)
    ]


def assert_too_many(response) -> None:
    """Check a 429 answer: the error page, and when to come back."""
    assert response.status_code == 429
    assert text("Too many requests") in response.get_data(as_text=True)
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_sixth_failed_attempt_on_one_account_is_refused(app, client):
    user = UserFactory()
    assert fail_login(client, user.email, 5) == [200] * 5
    assert_too_many(client.post("/login", data={"email": user.email, "password": WRONG}))
    # The right password does not get through either while the limit holds.
    assert_too_many(log_in(client, user))


def test_unknown_accounts_are_throttled_the_same_way(client):
    assert fail_login(client, "nobody@example.org", 6) == [200] * 5 + [429]


def test_variants_of_one_address_count_as_one_account(client):
    variants = ["camille@example.org", " Camille@Example.org", "CAMILLE@EXAMPLE.ORG "] * 2
    statuses = [
        client.post("/login", data={"email": email, "password": WRONG}).status_code
        for email in variants
    ]
    assert statuses == [200] * 5 + [429]


def test_the_account_limit_does_not_lock_other_accounts(app):
    user, other = UserFactory(), UserFactory()
    attacker = from_address(app, "198.51.100.1")
    fail_login(attacker, user.email, 6)
    assert log_in(from_address(app, "198.51.100.2"), other).headers["Location"] == "/"


def test_the_account_limit_holds_across_addresses(app):
    user = UserFactory()
    for number in range(5):
        fail_login(from_address(app, f"198.51.100.{number}"), user.email, 1)
    assert log_in(from_address(app, "198.51.100.99"), user).status_code == 429


def test_successful_logins_do_not_count(app):
    user = UserFactory()
    for _ in range(8):
        client = app.test_client()
        assert log_in(client, user).headers["Location"] == "/"
        client.post("/logout")


def test_many_accounts_from_one_address_are_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN_IP", "10 per minute")
    attacker = from_address(app, "203.0.113.9")
    statuses = [fail_login(attacker, f"user{n}@example.org", 1)[0] for n in range(11)]
    assert statuses == [200] * 10 + [429]
    user = UserFactory()
    assert log_in(from_address(app, "203.0.113.10"), user).headers["Location"] == "/"


def test_default_rates_are_five_per_account_and_thirty_per_address(app):
    assert app.config["RATELIMIT_LOGIN_ACCOUNT"] == "5 per minute"
    assert app.config["RATELIMIT_LOGIN_IP"] == "30 per minute"


class FrozenClock:
    """A stand-in for the ``time`` module of the rate-limit storage: time moves when told."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


def test_the_real_user_logs_in_after_the_window(client, monkeypatch):
    clock = FrozenClock()
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    user = UserFactory()
    fail_login(client, user.email, 5)
    assert log_in(client, user).status_code == 429
    clock.now += 59
    assert log_in(client, user).status_code == 429
    clock.now += 2  # the minute is over
    assert log_in(client, user).headers["Location"] == "/"


def test_reset_requests_are_throttled_per_address_and_per_account(app, client, monkeypatch):
    statuses = [
        client.post("/password/forgot", data={"email": "x@example.org"}).status_code
        for _ in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    monkeypatch.setitem(app.config, "RATELIMIT_RESET_IP", "3 per minute")
    other = from_address(app, "203.0.113.20")
    statuses = [
        other.post("/password/forgot", data={"email": f"u{n}@example.org"}).status_code
        for n in range(4)
    ]
    assert statuses == [302] * 3 + [429]


def test_reset_link_posts_are_throttled(app, client):
    statuses = [
        client.post("/password/reset/choose", data={"new_password": "x"}).status_code
        for _ in range(6)
    ]
    assert statuses == [400] * 5 + [429]


def test_wrong_current_passwords_are_throttled(app):
    client = logged_in_client(app, UserFactory())
    data = {"current_password": WRONG, "new_password": "x", "confirm_password": "x"}
    statuses = [client.post("/account/password", data=data).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_limiter_reset_forgets_the_attempts(client):
    fail_login(client, "camille@example.org", 6)
    limiter.reset()
    assert fail_login(client, "camille@example.org", 1) == [200]


@pytest.mark.parametrize(
    ("environment", "storage"),
    [
        ({}, "memory://"),
        ({"LMS_REDIS_URL": "redis://cache:6379/0"}, "redis://cache:6379/0"),
        (
            {"LMS_REDIS_URL": "redis://cache:6379/0", "LMS_RATELIMIT_STORAGE_URI": "memory://"},
            "memory://",
        ),
    ],
)
def test_rate_limit_storage_follows_the_configuration(monkeypatch, tmp_path, environment, storage):
    for name in ("LMS_REDIS_URL", "LMS_RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    bare = Flask("probe", instance_path=str(tmp_path))
    load_config(bare, None)
    assert bare.config["RATELIMIT_STORAGE_URI"] == storage


def test_default_password_is_the_factorys(app):
    # Guard for the tests above: they rely on the factory's password being the right one.
    user = UserFactory()
    assert user.check_password(DEFAULT_PASSWORD)
