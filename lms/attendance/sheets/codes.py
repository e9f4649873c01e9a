"""The sheet's rotating code: six digits a trainer shows and learners type to sign.

Decision (SECURITY.md J40, "codes stored hashed"): the code is **derived, never stored**. It is
the HMAC-SHA256, under a key derived from the application's ``SECRET_KEY`` for this one use, of
the sheet's id and the current 30-second step, reduced to six digits (the dynamic truncation of
RFC 4226). Nothing about it reaches the database, so there is nothing to hash: the server
recomputes the code of the step when a learner signs. Whoever does not hold the secret key cannot
tell the next code from the ones seen.

- It changes every ``STEP_SECONDS`` (30 s); the code of the current step and of the previous
  one are accepted (a learner typing at the turn of a step is not refused), a code two steps old
  is refused: a code read from a photo is useless a minute later.
- Each sheet has its own codes: a code of one session signs no other.
- Six digits could be guessed: wrong codes are rate limited per learner and sheet
  (``RATELIMIT_ATTENDANCE_CODE``, see ``lms.attendance.sheets.views``); with two codes valid
  at a time out of a million, five tries a minute give a guesser odds of 1 in 100 000 per minute
  while the window lasts.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from flask import current_app

STEP_SECONDS = 30
DIGITS = 6
# Separates this key from every other use of SECRET_KEY (sessions, tokens, CSRF).
KEY_PURPOSE = b"lms.attendance.sheet-code.v1"


def _key() -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, KEY_PURPOSE, hashlib.sha256).digest()


def step_of(now: datetime) -> int:
    """Return the number of the 30-second step ``now`` falls in."""
    return int(now.timestamp()) // STEP_SECONDS


def seconds_left(now: datetime) -> int:
    """Return how many seconds the code of ``now``'s step is still the current one."""
    return STEP_SECONDS - int(now.timestamp()) % STEP_SECONDS


def code_at(sheet_id: int, step: int) -> str:
    """Return the sheet's six-digit code of one step."""
    message = f"{sheet_id}:{step}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def current_code(sheet_id: int, now: datetime) -> str:
    """Return the code the trainer's page shows at ``now``."""
    return code_at(sheet_id, step_of(now))


def normalise(code: str) -> str:
    """Return the code as typed without spaces (a learner may type « 123 456 »)."""
    return "".join(code.split())


def code_matches(sheet_id: int, code: str, now: datetime) -> bool:
    """Tell whether ``code`` is the sheet's code of the current step or of the previous one."""
    typed = normalise(code)
    if len(typed) != DIGITS or not typed.isascii() or not typed.isdigit():
        return False
    step = step_of(now)
    # Both compared in constant time, whichever matches.
    matches = [hmac.compare_digest(typed, code_at(sheet_id, s)) for s in (step, step - 1)]
    return any(matches)
