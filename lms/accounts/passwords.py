"""Password policy (SECURITY.md A1); checking credentials is a service (``services``).

A password has 12 to 256 characters, is used whole (never truncated), and is refused when it
is common, a common word padded with digits or symbols, one repeated pattern, made of fewer than
five different characters, a keyboard or alphabet run, or built on the user's e-mail address.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_DISTINCT_CHARACTERS = 5
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

# Runs of keys or characters that people type as "random" passwords (both directions count).
_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890123456789",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "azertyuiop1234567890",
    "qwertyuiop1234567890",
)
_PADDING = re.compile(r"^[\W\d_]*(?P<word>.*?)[\W\d_]*$")
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")

TOO_SHORT = _l("Use at least %(count)d characters.", count=MIN_LENGTH)
TOO_LONG = _l("Use at most %(count)d characters.", count=MAX_LENGTH)
TOO_COMMON = _l("This password is too common or too easy to guess.")
LIKE_EMAIL = _l("Do not build the password on your e-mail address.")


@cache
def common_passwords() -> frozenset[str]:
    """Return the bundled list of common passwords, in lower case."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """List what makes ``password`` unacceptable (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        problems.append(TOO_LONG)
    if is_guessable(password):
        problems.append(TOO_COMMON)
    elif email and is_built_on_email(password, email):
        problems.append(LIKE_EMAIL)
    return [str(problem) for problem in problems]


def is_guessable(password: str) -> bool:
    """Tell whether the password is common, a padded common word, too uniform, or a run."""
    lowered = password.lower()
    compact = _NOT_ALPHANUMERIC.sub("", lowered)
    common = common_passwords()
    word = _PADDING.match(lowered)["word"]
    return (
        lowered in common
        or compact in common
        or (len(word) >= 4 and word in common)
        or len(set(lowered)) < MIN_DISTINCT_CHARACTERS
        or _is_repetition(lowered)
        or _is_run(compact)
    )


def is_built_on_email(password: str, email: str) -> bool:
    """Tell whether the password is the e-mail's local part with a few characters around it."""
    local_part = email.strip().lower().partition("@")[0]
    lowered = password.lower()
    if len(local_part) < 3 or local_part not in lowered:
        return False
    rest = lowered.replace(local_part, "")
    return len(_NOT_ALPHANUMERIC.sub("", rest)) < 8 or is_guessable(rest)


def _is_repetition(text: str) -> bool:
    """Tell whether ``text`` is one shorter pattern repeated ("aaaa…", "abcabc…")."""
    return len(text) > 1 and (text + text).find(text, 1) < len(text)


def _is_run(text: str) -> bool:
    """Tell whether ``text`` follows a keyboard row or the alphabet, forwards or backwards."""
    if len(text) < 4:
        return False
    return any(text in run or text in run[::-1] for run in _RUNS)
