"""Secrets carried in URL paths, and their redaction wherever a path is logged.

A password-reset link carries its token in the path (``/password/reset/<token>``), a calendar
feed's address is a secret (``/calendar/<token>.ics``), and so are a project's later evaluation
link (``/projects/evaluate/<token>``) and a funder's survey link (``/surveys/link/<token>``).
SECURITY.md A4 and J40: such tokens are never logged. The access log (lms.core.access_log), the
security events and the internal-error log write ``[redacted]`` in their place.
"""

from __future__ import annotations

import re

# The page that follows the link (``choose``) holds no secret and stays readable in the log.
SECRET_PATH = re.compile(r"(/password/reset/)(?!choose(?:[/?#\s]|$))[^/?#\s\"]+")
CALENDAR_PATH = re.compile(r"(/calendar/)[^?#\s\"]+?(\.ics)")
PROJECT_LINK_PATH = re.compile(r"(/projects/evaluate/)[^/?#\s\"]+")
SURVEY_LINK_PATH = re.compile(r"(/surveys/link/)[^/?#\s\"]+")


def redact(text: str) -> str:
    """Replace the secret part of URLs in ``text``."""
    if "/password/reset/" in text:
        text = SECRET_PATH.sub(r"\1[redacted]", text)
    if "/calendar/" in text:  # nearly every field has neither: skip the regular expressions
        text = CALENDAR_PATH.sub(r"\1[redacted]\2", text)
    if "/projects/evaluate/" in text:
        text = PROJECT_LINK_PATH.sub(r"\1[redacted]", text)
    if "/surveys/link/" in text:
        text = SURVEY_LINK_PATH.sub(r"\1[redacted]", text)
    return text
