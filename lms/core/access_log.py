"""gunicorn's access log without secrets in URLs (``logger_class`` in gunicorn.conf.py).

A password-reset link carries its token in the path (``/password/reset/<token>``); the
application moves it into the session at once, but the first request line would still reach
the access log. SECURITY.md A4 says reset tokens are never logged: this logger writes
``/password/reset/[redacted]`` instead, in the request line, the path and the referrer. A
calendar feed's address is a secret too (``/calendar/<token>.ics``): it becomes
``/calendar/[redacted].ics``; a project's evaluation link, ``/projects/evaluate/[redacted]``;
a funder's survey link, ``/surveys/link/[redacted]`` (the patterns live in lms.core.redaction,
which the security events use too).
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from lms.core.redaction import redact

__all__ = ["RedactingLogger", "redact"]


class RedactingLogger(Logger):  # type: ignore[misc]  # gunicorn has no type hints
    """gunicorn's logger, with secret URL parts redacted from every access-log field."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
