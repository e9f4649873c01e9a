"""Outgoing mail (lms.core.mail) and its settings, against a real SMTP server on loopback."""

from __future__ import annotations

import pytest
from flask import Flask

from lms.config import ENV_SETTINGS, ConfigError, load_config
from lms.core.mail import MailError, send_mail
from tests.smtp import body_of, free_port


@pytest.fixture
def bare_config(monkeypatch, tmp_path):
    """Return a function loading a configuration from a clean environment plus ``variables``."""

    def load(**variables):
        for name in ENV_SETTINGS:
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        probe = Flask("probe", instance_path=str(tmp_path))
        load_config(probe, None)
        return probe.config

    return load


def test_message_reaches_the_smtp_server(app, smtp_server):
    send_mail("camille@example.org", "Bonjour", "Texte accentué : é à ç", "<p>HTML</p>")
    [message] = smtp_server
    assert message["To"] == "camille@example.org"
    assert message["X-Envelope-To"] == "camille@example.org"
    assert message["Subject"] == "Bonjour"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert message["Message-ID"]
    assert body_of(message).strip() == "Texte accentué : é à ç"
    assert message.get_body(preferencelist=("html",)).get_content().strip() == "<p>HTML</p>"


def test_starttls_is_required_when_configured(app, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", True)
    with pytest.raises(MailError):  # the loopback server offers no STARTTLS: nothing is sent
        send_mail("camille@example.org", "Secret", "Body")
    assert smtp_server == []


def test_unreachable_server_raises_a_mail_error(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    with pytest.raises(MailError):
        send_mail("camille@example.org", "Subject", "Body")


def test_development_without_a_server_logs_the_message(app, caplog):
    caplog.set_level("INFO")
    send_mail("camille@example.org", "Subject", "The link: http://localhost/x")
    assert "http://localhost/x" in caplog.text
    assert "mail not configured (development)" in caplog.text


def test_production_without_a_server_logs_no_message_body(app, caplog, monkeypatch):
    caplog.set_level("DEBUG")
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    send_mail("camille@example.org", "Subject", "The link: http://localhost/secret-link")
    assert "mail not configured" in caplog.text
    assert "secret-link" not in caplog.text


def test_mail_settings_come_from_the_environment(bare_config):
    config = bare_config(
        LMS_MAIL_SERVER="smtp.example.org",
        LMS_MAIL_PORT="587",
        LMS_MAIL_USE_TLS="true",
        LMS_MAIL_USERNAME="12345",
        LMS_MAIL_PASSWORD="000123",
        LMS_MAIL_DEFAULT_SENDER="LMS <lms@example.org>",
    )
    assert config["MAIL_SERVER"] == "smtp.example.org"
    assert config["MAIL_PORT"] == 587
    assert config["MAIL_USE_TLS"] is True
    assert config["MAIL_USERNAME"] == "12345"  # text, never a number
    assert config["MAIL_PASSWORD"] == "000123"
    assert config["MAIL_DEFAULT_SENDER"] == "LMS <lms@example.org>"


def test_production_needs_a_base_url_with_or_without_mail(bare_config):
    """E-mails' links and the addresses inside credentials never follow the Host header."""
    production = {"LMS_ENV": "production", "LMS_SECRET_KEY": "s" * 40}
    with pytest.raises(ConfigError, match="LMS_BASE_URL"):
        bare_config(**production, LMS_MAIL_SERVER="smtp.example.org")
    with pytest.raises(ConfigError, match="credentials"):
        bare_config(**production)
    config = bare_config(**production, LMS_BASE_URL="https://lms.example.org")
    assert config["BASE_URL"] == "https://lms.example.org"
    assert config["MAIL_SERVER"] is None  # no mail: logged, never sent
