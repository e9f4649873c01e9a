"""Second-factor services: secrets encrypted at rest and key rotation, replay, recovery codes."""

from __future__ import annotations

import pytest

from lms.accounts import twofactor
from lms.accounts.twofactor import TwoFactorError
from tests.accounts.two_factor_helpers import code_at, recovery_code_rows, reloaded
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.web.helpers import TEST_TOTP_SECRET, enrol_two_factor


def test_new_secrets_carry_160_random_bits():
    secrets = {twofactor.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert all(len(secret) == 32 for secret in secrets)


def test_the_provisioning_uri_names_the_account_and_the_issuer():
    user = UserFactory(email="ada@example.org")
    uri = twofactor.provisioning_uri(user, TEST_TOTP_SECRET)
    assert uri.startswith("otpauth://totp/")
    assert "ada%40example.org" in uri
    assert f"secret={TEST_TOTP_SECRET}" in uri


def test_a_secret_made_under_an_old_key_is_read_with_the_fallback_and_re_encrypted(
    app, monkeypatch
):
    user = UserFactory()
    enrol_two_factor(user)
    old_key = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "a brand new key of at least 32 characters")
    with pytest.raises(TwoFactorError):
        twofactor.decrypt_secret(user.totp_secret_encrypted)
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    assert twofactor.verify_code(user, code_at(1))
    # Re-encrypted under the new key: the old one can now be dropped.
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    assert twofactor.decrypt_secret(user.totp_secret_encrypted) == TEST_TOTP_SECRET


def test_verify_code_refuses_a_replay_and_older_steps():
    user = UserFactory()
    enrol_two_factor(user)
    assert twofactor.verify_code(user, code_at(0))
    assert not twofactor.verify_code(user, code_at(0))
    assert not twofactor.verify_code(user, code_at(-1))
    assert twofactor.verify_code(user, code_at(1))
    assert reloaded(user).totp_last_used_step == twofactor.current_step() + 1


def test_verify_code_is_false_for_a_user_without_the_factor():
    assert not twofactor.verify_code(UserFactory(), code_at(0))


def test_recovery_codes_are_random_readable_and_stored_hashed():
    user = UserFactory()
    codes = enrol_two_factor(user)
    assert all(len(code) == 14 and code.count("-") == 2 for code in codes)
    stored = [row.code_hash for row in recovery_code_rows(user)]
    assert sorted(stored) == sorted(twofactor._hash_code(code) for code in codes)
    assert twofactor.remaining_recovery_codes(user) == 10
    assert twofactor.use_recovery_code(user, codes[3])
    assert not twofactor.use_recovery_code(user, codes[3])
    assert twofactor.remaining_recovery_codes(user) == 9


@pytest.mark.parametrize("value", ["", "0000-0000-0000", "x" * 40, "123456789012"])
def test_unknown_recovery_codes_are_refused(value):
    user = UserFactory()
    enrol_two_factor(user)
    assert twofactor.check_second_factor(user, value) is None


def test_look_alike_characters_are_read_as_digits():
    assert twofactor.normalise_recovery_code("O1L-i") == "0111"


def test_disable_refuses_an_administrator_even_with_the_right_password_and_code():
    admin = UserFactory(admin=True)
    enrol_two_factor(admin)
    with pytest.raises(TwoFactorError):
        twofactor.disable(admin, DEFAULT_PASSWORD, code_at(1))
    assert reloaded(admin).two_factor_enabled
