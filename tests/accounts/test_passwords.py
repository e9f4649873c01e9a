"""The password policy: length, common passwords and patterns, the e-mail address."""

from __future__ import annotations

import pytest
from flask_babel import gettext

from lms.accounts.models import User
from lms.accounts.passwords import (
    LIKE_EMAIL,
    MAX_LENGTH,
    MIN_LENGTH,
    TOO_COMMON,
    TOO_LONG,
    TOO_SHORT,
    common_passwords,
    password_problems,
)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Le bien-vivre se construit ensemble",
        "tXq8#vLm2!pZr",
        "Ça va très bien, merci ü",
        "xY" * 4 + "z-12",  # a pattern, but not only one
    ],
)
def test_acceptable_passwords_have_no_problem(password):
    assert password_problems(password) == []


@pytest.mark.parametrize(
    "password",
    [
        "azerty123456",  # French keyboard padded with digits
        "password1234",
        "Password1234!",
        "motdepasse!!",
        "Motdepasse2024",
        "123456azerty",
        "aaaaaaaaaaaa",  # one repeated character
        "abcabcabcabc",  # one repeated pattern
        "xxxxxxxxxxxy",  # too few different characters
        "a-B" * 20 + "z",
        "motdepassemotdepasse",
        "abcdefghijkl",  # alphabet run
        "lkjihgfedcba",
        "123456789012",
        "qwertyuiopas",  # keyboard rows
        "azertyuiopqsd",
        "1qaz2wsx3edc",
        "iloveyou1234",
        "trustno1trustno1",
    ],
)
def test_common_and_patterned_passwords_are_refused(password):
    assert password_problems(password) == [str(TOO_COMMON)]


def test_short_password_is_refused_with_the_minimum():
    problems = password_problems("Xq8#vLm2!pZ")  # 11 characters
    assert problems == [gettext("Use at least %(count)d characters.", count=MIN_LENGTH)]
    assert str(TOO_SHORT) in problems


def test_short_and_common_password_gets_both_problems():
    assert password_problems("motdepasse") == [str(TOO_SHORT), str(TOO_COMMON)]


def test_empty_password_is_refused():
    assert str(TOO_SHORT) in password_problems("")


def test_long_passwords_are_accepted_up_to_the_maximum():
    assert password_problems("Xq8#vLm2!pZ-" * 21 + "abcd") == []  # exactly 256 characters
    assert len("Xq8#vLm2!pZ-" * 21 + "abcd") == MAX_LENGTH


def test_passwords_over_the_maximum_are_refused():
    password = "".join(f"Word{number}-" for number in range(40))
    assert len(password) > MAX_LENGTH
    assert password_problems(password) == [str(TOO_LONG)]


def test_long_passwords_are_never_truncated():
    user = User(email="long@example.org", display_name="Long")
    password = "Xq8#vLm2!pZ-" * 10 + "end"
    user.set_password(password)
    assert user.check_password(password)
    assert not user.check_password(password[:-1])
    assert not user.check_password(password[:72])  # bcrypt would have stopped here


@pytest.mark.parametrize("password", ["marie.dupont2024", "Marie.Dupont!!!!", "2024marie.dupont#"])
def test_password_built_on_the_email_is_refused(password):
    problems = password_problems(password, email="Marie.Dupont@example.org")
    assert problems == [str(LIKE_EMAIL)]


def test_password_containing_the_email_among_much_more_is_accepted():
    password = "marie.dupont plants tomatoes in the community garden"
    assert password_problems(password, email="marie.dupont@example.org") == []


def test_email_check_ignores_very_short_local_parts():
    assert password_problems("ab-Xq8#vLm2!pZ", email="ab@example.org") == []


def test_bundled_list_is_large_and_lower_case():
    passwords = common_passwords()
    assert len(passwords) > 10_000
    assert {"password", "azerty", "motdepasse", "soleil", "iloveyou"} <= passwords
    assert all(entry == entry.lower() and not entry.startswith("#") for entry in passwords)
