"""Production serving: trusted proxies (ProxyFix), gunicorn's settings, the access log."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import request
from gunicorn.config import Config

from lms import ROOT, create_app
from lms.config import ConfigError
from lms.core.access_log import RedactingLogger, redact

GUNICORN_CONF = ROOT / "gunicorn.conf.py"


def app_with(tmp_path, **settings):
    """Create an application with ``settings`` and a route that tells what it sees."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "proxy.sqlite3"),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            **settings,
        }
    )
    app.add_url_rule(
        "/seen", "seen", lambda: f"{request.remote_addr} {request.scheme} {request.host}"
    )
    return app


FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "lms.example.org",
}


def test_forwarded_headers_are_ignored_by_default(tmp_path):
    seen = app_with(tmp_path).test_client().get("/seen", headers=FORWARDED).text
    assert seen == "127.0.0.1 http localhost"


def test_trusted_proxy_gives_the_client_address_scheme_and_host(tmp_path):
    app = app_with(tmp_path, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1, PROXY_FIX_X_HOST=1)
    seen = app.test_client().get("/seen", headers=FORWARDED).text
    assert seen == "203.0.113.7 https lms.example.org"


def test_only_the_trusted_number_of_proxies_counts(tmp_path):
    # The client wrote the first address itself; the one proxy we trust appended the real one.
    headers = {"X-Forwarded-For": "10.6.6.6, 198.51.100.4"}
    seen = app_with(tmp_path, PROXY_FIX_X_FOR=1).test_client().get("/seen", headers=headers)
    assert seen.text.split()[0] == "198.51.100.4"


def test_proxy_counts_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_PROXY_FIX_X_FOR", "2")
    app = app_with(tmp_path)
    assert app.config["PROXY_FIX_X_FOR"] == 2
    headers = {"X-Forwarded-For": "10.6.6.6, 198.51.100.4, 192.0.2.1"}
    assert app.test_client().get("/seen", headers=headers).text.split()[0] == "198.51.100.4"


@pytest.mark.parametrize("value", ["-1", "yes", "true", "1.5"])
def test_a_bad_proxy_count_is_refused(tmp_path, monkeypatch, value):
    monkeypatch.setenv("LMS_PROXY_FIX_X_PROTO", value)
    with pytest.raises(ConfigError, match="LMS_PROXY_FIX_X_PROTO must be the number of trusted"):
        app_with(tmp_path)


def read_gunicorn_conf(monkeypatch, **environment) -> dict:
    """Read gunicorn.conf.py under ``environment``; return its settings."""
    names = ("LMS_BIND", "LMS_WEB_WORKERS", "LMS_WEB_TIMEOUT", "LMS_WEB_MAX_REQUESTS")
    for name in (*names, "LMS_FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_defaults(monkeypatch):
    settings = read_gunicorn_conf(monkeypatch)
    assert settings["bind"] == ["127.0.0.1:8000"]
    assert settings["worker_class"] == "sync"
    assert 3 <= settings["workers"] <= 9
    assert settings["workers"] == min(2 * os.cpu_count() + 1, 9)
    assert settings["accesslog"] == "-"
    assert settings["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (5000, 500)
    assert settings["logger_class"] == "lms.core.access_log.RedactingLogger"


def test_gunicorn_settings_from_the_environment(monkeypatch):
    settings = read_gunicorn_conf(
        monkeypatch,
        LMS_BIND="0.0.0.0:8080",
        LMS_WEB_WORKERS="4",
        LMS_WEB_TIMEOUT="45",
        LMS_FORWARDED_ALLOW_IPS="10.0.0.2",
        LMS_WEB_MAX_REQUESTS="2000",
    )
    assert settings["bind"] == ["0.0.0.0:8080"]
    assert (settings["workers"], settings["timeout"]) == (4, 45)
    assert settings["forwarded_allow_ips"] == "10.0.0.2"
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (2000, 200)


@pytest.mark.parametrize("value", ["0", "two", "-3"])
def test_gunicorn_refuses_a_bad_worker_count(monkeypatch, value):
    with pytest.raises(SystemExit, match=f"LMS_WEB_WORKERS must be a whole number.*{value!r}"):
        read_gunicorn_conf(monkeypatch, LMS_WEB_WORKERS=value)


def test_gunicorn_accepts_the_configuration_and_loads_the_application(tmp_path):
    environment = {**os.environ, "LMS_INSTANCE_PATH": str(tmp_path)}
    environment.pop("LMS_REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "lms:create_app()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        ("GET /password/reset/Abc-123_xyz HTTP/1.1", "GET /password/reset/[redacted] HTTP/1.1"),
        ("GET /password/reset/Abc?x=1 HTTP/1.1", "GET /password/reset/[redacted]?x=1 HTTP/1.1"),
        ("GET /password/reset/choose HTTP/1.1", "GET /password/reset/choose HTTP/1.1"),
        ("GET /password/reset/chooser HTTP/1.1", "GET /password/reset/[redacted] HTTP/1.1"),
        ("GET /dashboard HTTP/1.1", "GET /dashboard HTTP/1.1"),
        ("GET /calendar/Abc-123_xyz.ics HTTP/1.1", "GET /calendar/[redacted].ics HTTP/1.1"),
        ("GET /calendar/a/b.ics?x=1 HTTP/1.1", "GET /calendar/[redacted].ics?x=1 HTTP/1.1"),
        ("GET /account/calendar HTTP/1.1", "GET /account/calendar HTTP/1.1"),
    ],
)
def test_reset_tokens_are_redacted(line, logged):
    assert redact(line) == logged


def test_access_log_never_holds_a_reset_token():
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/password/reset/s3cr3t-token",
        "PATH_INFO": "/password/reset/s3cr3t-token",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://lms.example.org/password/reset/s3cr3t-token",
        "REMOTE_ADDR": "203.0.113.7",
    }
    response = SimpleNamespace(status="302 FOUND", headers=[], sent=0)
    atoms = RedactingLogger(Config()).atoms(response, [], environ, timedelta(milliseconds=3))
    assert not [value for value in atoms.values() if "s3cr3t" in str(value)]
    assert atoms["r"] == "GET /password/reset/[redacted] HTTP/1.1"


def test_start_up_imports_neither_alembic_nor_weasyprint(tmp_path):
    # PERFORMANCE.md target 8: each costs a worker a noticeable part of a second at start-up.
    code = (
        "import sys; from lms import create_app; create_app(); "
        "print(sorted(m for m in ('alembic', 'flask_migrate', 'weasyprint') if m in sys.modules))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    environment["LMS_INSTANCE_PATH"] = str(tmp_path)
    result = subprocess.run(  # noqa: S603  our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_migration_commands_load_when_used(runner):
    result = runner.invoke(args=["db", "--help"])
    assert result.exit_code == 0, result.output
    assert "upgrade" in result.output
    assert "--directory" in result.output
