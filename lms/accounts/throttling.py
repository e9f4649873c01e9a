"""Throttling of the authentication paths (SECURITY.md A2), with Flask-Limiter.

Each path gets two limits: one per account (keyed by the normalised e-mail address, or by the
token of a link) and one per client address across all accounts. Rates come from the
configuration (``RATELIMIT_*``), so tests can shrink the window.

For the login and second-factor forms only **failed** attempts count (``deduct_when``): a class
that logs in together from one address is not locked out, while guessing is. A refused attempt
(429) is answered before the password is even checked. Reset requests count every POST.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user

from lms.accounts.models import normalise_email
from lms.accounts.sessions import hash_token
from lms.accounts.tokens import RESET_SESSION_KEY
from lms.extensions import limiter


def failed_attempt(response) -> bool:
    """Tell whether a form POST failed: a success redirects, a failure shows the form again."""
    return not 300 <= response.status_code < 400


def submitted_email() -> str:
    """Return the limit key of the account named in the form (its normalised e-mail)."""
    # Never empty: Flask-Limiter skips a limit whose key is empty.
    return "email:" + normalise_email(request.form.get("email", ""))[:254]


def client_address() -> str:
    """Return the limit key of the client's address."""
    return "ip:" + (get_remote_address() or "unknown")


def _rate(setting: str) -> Callable[[], str]:
    """Return a callable reading a rate such as ``"5 per minute"`` from the configuration."""
    return lambda: current_app.config[setting]


def throttle_auth(
    account_key: Callable[[], str],
    *,
    account_rate: str,
    ip_rate: str,
    only_failures: bool,
):
    """Limit a view's POSTs per account and per address, with rates named by settings."""
    deduct_when = failed_attempt if only_failures else None

    def decorate(view):
        view = limiter.limit(
            _rate(account_rate),
            key_func=account_key,
            methods=["POST"],
            deduct_when=deduct_when,
        )(view)
        return limiter.limit(
            _rate(ip_rate),
            key_func=client_address,
            methods=["POST"],
            deduct_when=deduct_when,
        )(view)

    return decorate


login_throttle = throttle_auth(
    submitted_email,
    account_rate="RATELIMIT_LOGIN_ACCOUNT",
    ip_rate="RATELIMIT_LOGIN_IP",
    only_failures=True,
)


def current_account() -> str:
    """Return the limit key of the logged-in user (for forms that re-check a password)."""
    return "user:" + str(current_user.get_id() or "anonymous")


def reset_link_token() -> str:
    """Return the limit key of the reset link being used (a digest, never the token)."""
    token = session.get(RESET_SESSION_KEY) or (request.view_args or {}).get("token", "")
    return "link:" + hash_token(str(token))


password_change_throttle = throttle_auth(
    current_account,
    account_rate="RATELIMIT_LOGIN_ACCOUNT",
    ip_rate="RATELIMIT_LOGIN_IP",
    only_failures=True,
)
reset_request_throttle = throttle_auth(
    submitted_email,
    account_rate="RATELIMIT_RESET_ACCOUNT",
    ip_rate="RATELIMIT_RESET_IP",
    only_failures=False,
)
reset_token_throttle = throttle_auth(
    reset_link_token,
    account_rate="RATELIMIT_RESET_ACCOUNT",
    ip_rate="RATELIMIT_RESET_IP",
    only_failures=False,
)
