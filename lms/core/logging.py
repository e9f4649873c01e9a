"""Structured security logging (SECURITY.md I36): one JSON line per security event.

``security_event("login.failure", email=...)`` writes one line on the ``lms.security`` logger
with the time, the action, the actor, the client address, the request id and the given fields.
Every value is JSON-encoded, so a CR/LF in a name cannot start a forged line. Keys that name a
secret (password, token, cookie, secret, csrf) are refused while testing and dropped otherwise:
such values must never reach a log.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_login import current_user

from lms.core.redaction import redact
from lms.core.time import utcnow

SECURITY_LOGGER = "lms.security"
SECRET_KEY_PARTS = ("password", "token", "cookie", "secret", "csrf")
# Line breaks that JSON leaves as they are but that log readers may split on.
_UNICODE_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}

logger = logging.getLogger(SECURITY_LOGGER)


class SecretInLogError(ValueError):
    """A security event was given a field that names a secret."""


def security_event(action: str, **fields: Any) -> None:
    """Write one JSON line on the ``lms.security`` logger for a security-relevant event."""
    record = {"timestamp": utcnow().isoformat(), "action": action, **_request_context()}
    record.update(_without_secrets(fields))
    logger.info(encode(record), extra={"security_event": record})


def encode(record: dict[str, Any]) -> str:
    """Return ``record`` as one line of JSON, whatever characters its values hold."""
    line = json.dumps(record, ensure_ascii=False, default=str)
    for char, escaped in _UNICODE_LINE_BREAKS.items():
        line = line.replace(char, escaped)
    return line


def _request_context() -> dict[str, Any]:
    """Return who made the current request, from where, and its request id."""
    if not has_request_context():
        return {"actor_id": None, "ip": None, "request_id": None}
    actor = current_user.get_id() if current_user.is_authenticated else None
    return {
        "actor_id": int(actor) if actor and actor.isdigit() else actor,
        "ip": request.remote_addr,
        "request_id": g.get("request_id"),
        "method": request.method,
        "path": redact(request.path),
    }


def _without_secrets(fields: dict[str, Any]) -> dict[str, Any]:
    """Return ``fields`` without the keys that name a secret (an error while testing)."""
    kept = {}
    for key, value in fields.items():
        if any(part in key.lower() for part in SECRET_KEY_PARTS):
            if has_app_context() and current_app.testing:
                raise SecretInLogError(f"a security event must not log {key!r}")
            continue
        kept[key] = _without_secrets(value) if isinstance(value, dict) else value
    return kept


def configure_logging(app: Flask) -> None:
    """Emit security events; give them a plain JSON-line handler unless logging is configured.

    When the host (gunicorn's logging configuration, pytest) has configured the root logger, the
    events propagate to it untouched; otherwise they go to standard error, one JSON per line.
    """
    logger.setLevel(logging.INFO)
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.propagate = False  # or Flask's handler on "lms" would print each event twice
