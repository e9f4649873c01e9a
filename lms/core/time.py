"""Time helpers: every stored timestamp is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def organisation_timezone() -> ZoneInfo:
    """Return the timezone in which the organisation enters and reads dates."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")


def local_today() -> date:
    """Return today's date in the organisation's timezone (a day ends at midnight, Paris time)."""
    return utcnow().astimezone(organisation_timezone()).date()
