"""Helpers for the administration tests."""

from __future__ import annotations

import re

from lms.accounts.models import AuditEvent, User
from lms.extensions import db


def add_users(count: int, *, prefix: str = "bulk") -> list[User]:
    """Insert ``count`` users without passwords at once (hashing each would be slow)."""
    users = [
        User(email=f"{prefix}{index:04d}@example.org", display_name=f"{prefix.title()} {index:04d}")
        for index in range(count)
    ]
    db.session.add_all(users)
    db.session.commit()
    return users


def listed_users(html: str) -> list[str]:
    """Return the ids of the users listed on a users page, in order."""
    return re.findall(r'<tr data-user="(\d+)">', html)


def listed_events(html: str) -> list[str]:
    """Return the ids of the events listed on an audit page, in order."""
    return re.findall(r'<tr data-event="(\d+)">', html)


def field_errors(html: str, field_id: str) -> str:
    """Return the error messages shown under one form field ('' when there is none)."""
    match = re.search(rf'<ul class="field__errors" id="{field_id}-errors">(.*?)</ul>', html, re.S)
    return " ".join(re.findall(r"<li>(.*?)</li>", match.group(1), re.S)) if match else ""


def audit_events(action: str) -> list[AuditEvent]:
    """Return the recorded events of one action, oldest first."""
    query = db.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))
