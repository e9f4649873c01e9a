"""Fixtures of the administration tests."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.smtp import free_port
from tests.web.helpers import log_in


@pytest.fixture
def mail_server_down(app, monkeypatch):
    """Point the mail settings at a loopback port where no SMTP server listens."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())


@pytest.fixture
def admin(client):
    """Return an administrator, logged in with ``client``."""
    user = UserFactory(admin=True, display_name="Alice Admin", email="alice@example.org")
    log_in(client, user)
    return user
