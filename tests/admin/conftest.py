"""Fixtures of the administration tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import UserFactory
from tests.web.helpers import log_in


@dataclass
class Mail:
    """A message handed to the mail transport."""

    to: str
    subject: str
    body: str


@pytest.fixture
def outbox(monkeypatch) -> list[Mail]:
    """Collect the e-mails the password links send, instead of handing them to SMTP."""
    sent: list[Mail] = []

    def record(to, subject, text_body, html_body=None):
        sent.append(Mail(to, subject, text_body))

    monkeypatch.setattr("lms.accounts.tokens.send_mail", record)
    return sent


@pytest.fixture
def admin(client):
    """Return an administrator, logged in with ``client``."""
    user = UserFactory(admin=True, display_name="Alice Admin", email="alice@example.org")
    log_in(client, user)
    return user
