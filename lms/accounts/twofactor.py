"""Second authentication factor: TOTP (RFC 6238) codes and single-use recovery codes.

Administrators must use it; trainers and learners may. Services flush, never commit.

**Secrets at rest.** Each user's TOTP secret (160 random bits, base32) is stored encrypted with
Fernet (AES-128-CBC + HMAC-SHA256), under a key derived by HKDF-SHA256 from ``SECRET_KEY``.
A database dump alone therefore cannot mint codes. Rotation limits: the keys derived from
``SECRET_KEY_FALLBACKS`` still decrypt, and each accepted code re-encrypts the secret under the
current key; a secret that was not used while its old key was listed becomes unreadable once
that key is dropped, and its owner must be reset (``lms reset-two-factor``) and re-enrol.

**Replay.** A code is accepted within one time step either side of now (clock drift), and only
when its time step is newer than the last one accepted for that user: the same code never
works twice.

**Recovery codes.** Ten codes of 12 random characters from a 32-letter alphabet (60 bits each)
are made at enrolment and shown once. Only their SHA-256 is stored: a fast hash is enough for
random values of that size (nothing to guess from a dictionary), and login throttling bounds
online guessing. Each works once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

from lms.accounts.models import RecoveryCode, User
from lms.accounts.services import AccountError
from lms.core.time import utcnow
from lms.extensions import db

ISSUER = "LMS Bien-vivre"  # the account's label in authenticator apps
SECRET_LENGTH = 32  # base32 characters: 160 bits
STEP_SECONDS = 30
VALID_WINDOW = 1  # time steps accepted either side of now
CODE_DIGITS = 6
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 12
# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand stays unambiguous.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_LOOK_ALIKES = str.maketrans({"o": "0", "i": "1", "l": "1"})
_KDF_INFO = b"lms-bien-vivre totp secret encryption"


class TwoFactorError(AccountError):
    """A second-factor operation was refused; the message says why, ``field`` which input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def new_secret() -> str:
    """Return a new random TOTP secret (base32, 160 bits)."""
    return pyotp.random_base32(SECRET_LENGTH)


def provisioning_uri(user: User, secret: str) -> str:
    """Return the ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri: str, *, title: str) -> Markup:
    """Return the QR code of ``uri`` as inline SVG markup (no style attribute: CSP-safe)."""
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=4, light="#fff", title=title, svgclass="qr-code", lineclass=None)
    return Markup(svg)  # noqa: S704  segno's own markup; the title is escaped by segno


def _fernet() -> MultiFernet:
    """Return the cipher of secrets: SECRET_KEY first, then SECRET_KEY_FALLBACKS (decrypt)."""
    # cryptography loads on first use: at start-up it would cost every process ≈ 35 ms.
    from cryptography.fernet import Fernet, MultiFernet

    config = current_app.config
    keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    return MultiFernet([Fernet(_derive_key(key)) for key in keys])


def _derive_key(secret_key: str | bytes) -> bytes:
    """Derive a Fernet key from an application secret key with HKDF-SHA256."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KDF_INFO)
    return base64.urlsafe_b64encode(kdf.derive(material))


def encrypt_secret(secret: str) -> str:
    """Return ``secret`` encrypted under the current key (text, for a column or the session)."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(encrypted: str) -> str:
    """Return the secret, or raise TwoFactorError when no known key can read it."""
    from cryptography.fernet import InvalidToken

    try:
        return _fernet().decrypt(encrypted.encode()).decode()
    except (InvalidToken, ValueError) as error:
        raise TwoFactorError(_("The second factor cannot be read; ask for a reset.")) from error


def current_step(now: datetime | None = None) -> int:
    """Return the TOTP time step of ``now``."""
    return int((now or utcnow()).timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    """Return the time step (now ± VALID_WINDOW) whose code is ``code``, or None."""
    code = "".join((code or "").split())
    if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp, step = pyotp.TOTP(secret), current_step(now)
    for candidate in range(step - VALID_WINDOW, step + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def verify_code(user: User, code: str, now: datetime | None = None) -> bool:
    """Accept a current TOTP code of ``user`` once (a code already used is refused)."""
    if not user.two_factor_enabled:
        return False
    step = matching_step(decrypt_secret(user.totp_secret_encrypted), code, now)
    last = user.totp_last_used_step
    if step is None or (last is not None and step <= last):
        return False
    user.totp_last_used_step = step
    # Re-encrypt under the current key, so that rotated-out keys can be dropped.
    user.totp_secret_encrypted = _fernet().rotate(user.totp_secret_encrypted.encode()).decode()
    db.session.flush()
    return True


def enable(user: User, secret: str, code: str, now: datetime | None = None) -> list[str]:
    """Turn the second factor on with ``secret`` once ``code`` proves the app has it.

    Also used to move to a new device. Returns the new recovery codes (to be shown once).
    """
    step = matching_step(secret, code, now)
    if step is None:
        raise TwoFactorError(
            _("This code is not valid. Check your device's clock and type the current code."),
            field="code",
        )
    user.totp_secret_encrypted = encrypt_secret(secret)
    user.totp_enabled_at = now or utcnow()
    user.totp_last_used_step = step
    return replace_recovery_codes(user)


def disable(user: User, password: str, code: str) -> None:
    """Turn the second factor off (never for administrators): password and code required."""
    if user.is_admin:
        raise TwoFactorError(_("Administrators must keep two-step verification on."))
    if not user.check_password(password or ""):
        raise TwoFactorError(_("Your password is not correct."), field="password")
    if not verify_code(user, code):
        raise TwoFactorError(_("This code is not valid."), field="code")
    reset(user)


def reset(user: User) -> None:
    """Remove the user's second factor and recovery codes (lost device, or turned off)."""
    user.totp_secret_encrypted = None
    user.totp_enabled_at = None
    user.totp_last_used_step = None
    db.session.execute(db.delete(RecoveryCode).filter_by(user_id=user.id))
    db.session.flush()


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """Replace the recovery codes once a current code is given; return the new ones."""
    if not verify_code(user, code):
        raise TwoFactorError(_("This code is not valid."), field="code")
    return replace_recovery_codes(user)


def replace_recovery_codes(user: User) -> list[str]:
    """Delete the user's recovery codes and make new ones; return them (readable form)."""
    db.session.execute(db.delete(RecoveryCode).filter_by(user_id=user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(c)) for c in codes)
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Accept one unused recovery code of ``user``, and spend it."""
    normalised = normalise_recovery_code(code)
    if len(normalised) != RECOVERY_CODE_LENGTH:
        return False
    record = db.session.scalar(
        db.select(RecoveryCode).filter_by(
            user_id=user.id, code_hash=_hash_code(normalised), used_at=None
        )
    )
    if record is None:
        return False
    record.used_at = utcnow()
    db.session.flush()
    return True


def check_second_factor(user: User, value: str) -> str | None:
    """Accept a TOTP code or a recovery code; return which ("totp", "recovery") or None."""
    if not user.two_factor_enabled:
        return None
    if len("".join((value or "").split())) == CODE_DIGITS:
        return "totp" if verify_code(user, value) else None
    return "recovery" if use_recovery_code(user, value) else None


def remaining_recovery_codes(user: User) -> int:
    """Return how many unused recovery codes the user has left."""
    query = db.select(db.func.count()).select_from(RecoveryCode)
    return db.session.scalar(query.filter_by(user_id=user.id, used_at=None))


def normalise_recovery_code(code: str) -> str:
    """Return the code as stored: lower case, no spaces or dashes, look-alikes mapped."""
    kept = "".join(char for char in (code or "").lower() if char not in " -\t")
    return kept.translate(_LOOK_ALIKES)


def _new_recovery_code() -> str:
    """Return a random recovery code, grouped by four for reading: ``xxxx-xxxx-xxxx``."""
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def _hash_code(code: str) -> str:
    """Return the SHA-256 (hex) of a normalised recovery code."""
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()
