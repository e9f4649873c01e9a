"""Configuration: defaults, ``LMS_*`` environment variables, then ``create_app``'s mapping.

Nothing here is read at import time: ``load_config`` runs inside ``create_app``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Config, Flask

DEFAULT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105  refused by production configs
# The optional instance config file (Python assignments), read by every process of an instance.
INSTANCE_CONFIG_FILE = "lms.cfg"


class DefaultConfig:
    """Settings for the embedded default: SQLite in the instance folder, French first."""

    ENV_NAME = "development"  # "production" turns on the production checks
    SECRET_KEY = DEFAULT_SECRET_KEY
    DATABASE_URL: str | None = None  # None: SQLite file ``lms.sqlite3`` in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    # Seconds to wait for a PostgreSQL server to accept a connection (a request, a probe).
    DATABASE_CONNECT_TIMEOUT = 5
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_RECORD_QUERIES = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    WTF_CSRF_TIME_LIMIT = 3600 * 12
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")

    # Default path definition loaded by ``lms demo``.
    DEMO_PATH_FILE: str | None = None

    # A session also ends after this long without a request (PERMANENT_SESSION_LIFETIME caps it).
    SESSION_IDLE_TIMEOUT = timedelta(hours=2)

    # Public address of the site, used for links in e-mails (required with mail in production:
    # otherwise links would follow the request's Host header, which a client chooses).
    BASE_URL: str | None = None

    # Outgoing mail; without MAIL_SERVER, development logs the message (see lms.core.mail).
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Entrepreneur·e du bien-vivre <no-reply@localhost>"
    MAIL_TIMEOUT = 10

    # Rate limits (Flask-Limiter). Storage: memory by default, Redis when LMS_REDIS_URL is set.
    REDIS_URL: str | None = None
    RATELIMIT_STORAGE_URI: str | None = None  # None: REDIS_URL if set, else memory://
    RATELIMIT_HEADERS_ENABLED = True  # Retry-After on 429 answers
    RATELIMIT_LOGIN_ACCOUNT = "5 per minute"  # failed attempts for one account
    RATELIMIT_LOGIN_IP = "30 per minute"  # failed attempts from one address, all accounts
    RATELIMIT_RESET_ACCOUNT = "5 per minute"  # reset requests for one e-mail address
    RATELIMIT_RESET_IP = "30 per minute"  # reset requests and reset-link posts from one address
    # Public verification of certificates (lms.certificates.verification), per client address:
    # every verification answer (page, JSON, drop form), and PDFs dropped to be checked.
    RATELIMIT_VERIFY = "60 per minute"
    RATELIMIT_VERIFY_CHECK = "10 per minute"
    # Private calendar feeds (lms.learning.calendar), per client address: calendar applications
    # poll every few minutes to every few hours; a guesser is stopped long before any token.
    RATELIMIT_CALENDAR = "30 per minute"
    # Later ex post evaluation links (lms.projects.invitations_views), per client address: the
    # person invited opens and posts the page a few times; a guesser is stopped long before.
    RATELIMIT_PROJECT_LINK = "30 per minute"
    # How many days a later ex post evaluation link works once sent.
    PROJECT_LINK_DAYS = 30
    # Satisfaction surveys (lms.quality.surveys): how many days a campaign stays open, after
    # how many days those who have not answered get the one reminder, how long a funder's or
    # employer's link works, and the limit per client address on the link's public page.
    SURVEY_OPEN_DAYS = 21
    SURVEY_REMINDER_DAYS = 7
    SURVEY_LINK_DAYS = 30
    RATELIMIT_SURVEY_LINK = "30 per minute"
    # Reminder e-mails (lms.learning.reminders): how long before an assessment deadline, and how
    # far back closed attendance sheets are still read for absence notices not yet sent.
    REMINDER_DEADLINE_HOURS = 48
    REMINDER_ABSENCE_LOOKBACK_HOURS = 48
    # Wrong attendance codes, per learner and sheet (six digits must not be guessable).
    RATELIMIT_ATTENDANCE_CODE = "5 per minute"

    # Attendance sheets: learners sign from this long before a session starts until this long
    # after it ends; a signature later than the start plus ATTENDANCE_LATE_AFTER_MINUTES records
    # a late arrival (lms.attendance.sheets.services).
    ATTENDANCE_OPENS_BEFORE_MINUTES = 30
    ATTENDANCE_CLOSES_AFTER_MINUTES = 60
    ATTENDANCE_LATE_AFTER_MINUTES = 15
    # The supporting file of an excused absence (PDF, PNG or JPEG), in megabytes at most.
    ATTENDANCE_SUPPORTING_FILE_MAX_MB = 5

    # Certificates: who certifies (default: the path's certifier), who signs, where, and the
    # number's prefix (EBV-2026-7K3QX9PA). Issuing refuses until the signatory and place are set.
    CERTIFICATE_ORGANISATION: str | None = None
    CERTIFICATE_SIGNATORY_NAME: str | None = None
    CERTIFICATE_SIGNATORY_TITLE: str | None = None
    CERTIFICATE_PLACE: str | None = None
    CERTIFICATE_NUMBER_PREFIX = "EBV"
    # The certification's code in the RNCP (France Compétences), printed on the jury's minutes;
    # unset, the minutes print no RNCP line.
    CERTIFICATE_RNCP_CODE: str | None = None
    # Issue the path certificate as soon as a learner becomes eligible (an automatic decision).
    CERTIFICATES_AUTO_ISSUE = False
    # Jobs a batch of certificates is split into on RQ: one per ``lms worker`` process.
    CERTIFICATE_BATCH_PARTS = 2
    # Largest PDF the public check form accepts (bytes); an issued certificate is far smaller.
    CERTIFICATE_CHECK_MAX_BYTES = 5 * 1024 * 1024
    # The e-mail address the issuer's Open Badges profile gives (none when unset).
    CREDENTIALS_ISSUER_EMAIL: str | None = None
    # Signing every issued PDF (docs/signing.md); unset: the instance's keys/signing.p12, if any.
    SIGNING_PKCS12: str | None = None
    SIGNING_PKCS12_PASSPHRASE: str | None = None
    SIGNING_TSA_URL: str | None = None  # a timestamp authority: PAdES B-T rather than B-B
    SIGNING_TRUST_ROOTS: str | None = None  # a PEM file of more CAs whose signatures verify

    # The training organisation (« dispensateur de la formation ») that signs the certificats de
    # réalisation and attestations de fin de formation: its name, its « numéro de déclaration
    # d'activité » (11 digits), SIRET (14 digits), address, legal representative and the place
    # of signature. Producing those documents refuses until each is set (and well formed).
    TRAINING_ORGANISATION_NAME: str | None = None
    TRAINING_ORGANISATION_NDA: str | None = None
    TRAINING_ORGANISATION_SIRET: str | None = None
    TRAINING_ORGANISATION_ADDRESS: str | None = None
    TRAINING_ORGANISATION_REPRESENTATIVE_NAME: str | None = None
    TRAINING_ORGANISATION_REPRESENTATIVE_TITLE: str | None = None
    TRAINING_ORGANISATION_PLACE: str | None = None

    # Quiz answers still accepted this long after an attempt's time limit (network, slow clicks).
    QUIZ_GRACE_SECONDS = 30

    # Reverse proxies in front of the application: how many of each X-Forwarded-* header to
    # trust (Werkzeug's ProxyFix). 0, the default, ignores the header: a client could forge it.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PROXY_FIX_X_PORT = 0
    PROXY_FIX_X_PREFIX = 0

    # Background jobs (lms.core.jobs): RQ on REDIS_URL when set, inline otherwise.
    JOB_TIMEOUT = 600  # seconds a job may run before its worker stops it
    JOB_RESULT_TTL = 86400  # seconds a finished job's result stays readable
    # Readiness probe (/readyz): seconds to wait for the database or Redis before failing.
    HEALTH_CHECK_TIMEOUT = 3

    # Retention (lms.quality.retention, ``lms purge``): a cohort's evidence (work, feedback,
    # attendance reasons and supporting files, positioning, projects' texts) and its learners'
    # accounts are kept until 31 December of N + RETENTION_EVIDENCE_YEARS, N being the year the
    # cohort ends (a cohort may set a longer period: EU funds, a convention); raw survey answers
    # (texts, the link from a named response to its person) until 31 December of N +
    # RETENTION_SURVEY_YEARS, N being the year the campaign closed. Whole years, 1 to 50.
    RETENTION_EVIDENCE_YEARS = 6
    RETENTION_SURVEY_YEARS = 3


# Environment variables understood by the application, and how to parse each one.
ENV_SETTINGS: dict[str, str] = {
    "LMS_ENV": "ENV_NAME",
    "LMS_SECRET_KEY": "SECRET_KEY",
    "LMS_DATABASE_URL": "DATABASE_URL",
    "LMS_SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE",
    "LMS_MAX_CONTENT_LENGTH": "MAX_CONTENT_LENGTH",
    "LMS_DEFAULT_LOCALE": "BABEL_DEFAULT_LOCALE",
    "LMS_DEFAULT_TIMEZONE": "BABEL_DEFAULT_TIMEZONE",
    "LMS_BASE_URL": "BASE_URL",
    "LMS_MAIL_SERVER": "MAIL_SERVER",
    "LMS_MAIL_PORT": "MAIL_PORT",
    "LMS_MAIL_USE_TLS": "MAIL_USE_TLS",
    "LMS_MAIL_USERNAME": "MAIL_USERNAME",
    "LMS_MAIL_PASSWORD": "MAIL_PASSWORD",
    "LMS_MAIL_DEFAULT_SENDER": "MAIL_DEFAULT_SENDER",
    "LMS_REDIS_URL": "REDIS_URL",
    "LMS_RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "LMS_QUIZ_GRACE_SECONDS": "QUIZ_GRACE_SECONDS",
    "LMS_CERTIFICATE_ORGANISATION": "CERTIFICATE_ORGANISATION",
    "LMS_CERTIFICATE_SIGNATORY_NAME": "CERTIFICATE_SIGNATORY_NAME",
    "LMS_CERTIFICATE_SIGNATORY_TITLE": "CERTIFICATE_SIGNATORY_TITLE",
    "LMS_CERTIFICATE_PLACE": "CERTIFICATE_PLACE",
    "LMS_CERTIFICATE_NUMBER_PREFIX": "CERTIFICATE_NUMBER_PREFIX",
    "LMS_CERTIFICATE_RNCP_CODE": "CERTIFICATE_RNCP_CODE",
    "LMS_CERTIFICATES_AUTO_ISSUE": "CERTIFICATES_AUTO_ISSUE",
    "LMS_CERTIFICATE_BATCH_PARTS": "CERTIFICATE_BATCH_PARTS",
    "LMS_CREDENTIALS_ISSUER_EMAIL": "CREDENTIALS_ISSUER_EMAIL",
    "LMS_SIGNING_PKCS12": "SIGNING_PKCS12",
    "LMS_SIGNING_PKCS12_PASSPHRASE": "SIGNING_PKCS12_PASSPHRASE",
    "LMS_SIGNING_TSA_URL": "SIGNING_TSA_URL",
    "LMS_CREDENTIAL_KEYS_FOLDER": "CREDENTIAL_KEYS_FOLDER",
    "LMS_TRAINING_ORGANISATION_NAME": "TRAINING_ORGANISATION_NAME",
    "LMS_TRAINING_ORGANISATION_NDA": "TRAINING_ORGANISATION_NDA",
    "LMS_TRAINING_ORGANISATION_SIRET": "TRAINING_ORGANISATION_SIRET",
    "LMS_TRAINING_ORGANISATION_ADDRESS": "TRAINING_ORGANISATION_ADDRESS",
    "LMS_TRAINING_ORGANISATION_REPRESENTATIVE_NAME": "TRAINING_ORGANISATION_REPRESENTATIVE_NAME",
    "LMS_TRAINING_ORGANISATION_REPRESENTATIVE_TITLE": "TRAINING_ORGANISATION_REPRESENTATIVE_TITLE",
    "LMS_TRAINING_ORGANISATION_PLACE": "TRAINING_ORGANISATION_PLACE",
    "LMS_PROXY_FIX_X_FOR": "PROXY_FIX_X_FOR",
    "LMS_PROXY_FIX_X_PROTO": "PROXY_FIX_X_PROTO",
    "LMS_PROXY_FIX_X_HOST": "PROXY_FIX_X_HOST",
    "LMS_PROXY_FIX_X_PORT": "PROXY_FIX_X_PORT",
    "LMS_PROXY_FIX_X_PREFIX": "PROXY_FIX_X_PREFIX",
    "LMS_JOB_TIMEOUT": "JOB_TIMEOUT",
    "LMS_PROJECT_LINK_DAYS": "PROJECT_LINK_DAYS",
    "LMS_SURVEY_OPEN_DAYS": "SURVEY_OPEN_DAYS",
    "LMS_SURVEY_REMINDER_DAYS": "SURVEY_REMINDER_DAYS",
    "LMS_SURVEY_LINK_DAYS": "SURVEY_LINK_DAYS",
    "LMS_REMINDER_DEADLINE_HOURS": "REMINDER_DEADLINE_HOURS",
    "LMS_REMINDER_ABSENCE_LOOKBACK_HOURS": "REMINDER_ABSENCE_LOOKBACK_HOURS",
    "LMS_ATTENDANCE_OPENS_BEFORE_MINUTES": "ATTENDANCE_OPENS_BEFORE_MINUTES",
    "LMS_ATTENDANCE_CLOSES_AFTER_MINUTES": "ATTENDANCE_CLOSES_AFTER_MINUTES",
    "LMS_ATTENDANCE_LATE_AFTER_MINUTES": "ATTENDANCE_LATE_AFTER_MINUTES",
    "LMS_ATTENDANCE_SUPPORTING_FILE_MAX_MB": "ATTENDANCE_SUPPORTING_FILE_MAX_MB",
    "LMS_RETENTION_EVIDENCE_YEARS": "RETENTION_EVIDENCE_YEARS",
    "LMS_RETENTION_SURVEY_YEARS": "RETENTION_SURVEY_YEARS",
}

# Settings kept as text even when they look like JSON (a password "12345" is not a number).
TEXT_SETTINGS = frozenset(
    {
        "SECRET_KEY",
        "DATABASE_URL",
        "MAIL_USERNAME",
        "MAIL_PASSWORD",
        "MAIL_DEFAULT_SENDER",
        "CERTIFICATE_ORGANISATION",
        "CERTIFICATE_SIGNATORY_NAME",
        "CERTIFICATE_SIGNATORY_TITLE",
        "CERTIFICATE_PLACE",
        "CERTIFICATE_NUMBER_PREFIX",
        "CERTIFICATE_RNCP_CODE",
        "SIGNING_PKCS12",
        "SIGNING_PKCS12_PASSPHRASE",
        "TRAINING_ORGANISATION_NAME",
        "TRAINING_ORGANISATION_NDA",
        "TRAINING_ORGANISATION_SIRET",
        "TRAINING_ORGANISATION_ADDRESS",
        "TRAINING_ORGANISATION_REPRESENTATIVE_NAME",
        "TRAINING_ORGANISATION_REPRESENTATIVE_TITLE",
        "TRAINING_ORGANISATION_PLACE",
        "CREDENTIALS_ISSUER_EMAIL",
    }
)


# Defaults that differ in production (``LMS_ENV=production``); explicit settings still win.
PRODUCTION_DEFAULTS: dict[str, Any] = {
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
}


class ConfigError(RuntimeError):
    """The configuration cannot run the application safely."""


def _parse(value: str) -> Any:
    """Read booleans and numbers as JSON, keep anything else as text."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def load_config(app: Flask, config: Mapping[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, environment and ``config``, then check it."""
    app.config.from_object(DefaultConfig)
    _apply_settings(app, config)
    if app.config["ENV_NAME"] == "production":
        app.config.update(PRODUCTION_DEFAULTS)
        _apply_settings(app, config)  # explicit settings still win over production defaults

    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config["DATABASE_URL"]
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "lms.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    _bound_connect_time(app.config)
    if not app.config["RATELIMIT_STORAGE_URI"]:
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    check_proxy_fix(app.config)
    check_retention(app.config)
    if app.config["ENV_NAME"] == "production":
        check_production(app.config)


def _apply_settings(app: Flask, config: Mapping[str, Any] | None) -> None:
    """Apply the instance config file, then ``LMS_*`` variables, then ``config``."""
    app.config.from_pyfile(INSTANCE_CONFIG_FILE, silent=True)
    for env_name, key in ENV_SETTINGS.items():
        if env_name in os.environ:
            raw = os.environ[env_name]
            app.config[key] = raw if key in TEXT_SETTINGS else _parse(raw)
    if config:
        app.config.update(config)


def instance_config_path(app: Flask) -> str:
    """Return where the instance config file of ``app`` is (or would be)."""
    return os.path.join(app.instance_path, INSTANCE_CONFIG_FILE)


def _bound_connect_time(config: Config) -> None:
    """Give PostgreSQL connections a connect timeout: an unreachable server fails, not hangs."""
    if not config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])  # never mutate the class default
    connect_args = dict(options.get("connect_args", {}))
    connect_args.setdefault("connect_timeout", config["DATABASE_CONNECT_TIMEOUT"])
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs, the driver this project ships with."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# The X-Forwarded-* headers ProxyFix can trust, by setting suffix.
PROXY_FIX_HEADERS = ("X_FOR", "X_PROTO", "X_HOST", "X_PORT", "X_PREFIX")


def check_proxy_fix(config: Mapping[str, Any]) -> None:
    """Refuse a trusted-proxy count that is not a whole number of 0 or more."""
    for suffix in PROXY_FIX_HEADERS:
        value = config.get(f"PROXY_FIX_{suffix}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(
                f"LMS_PROXY_FIX_{suffix} must be the number of trusted proxies (0 or more), "
                f"not {value!r}"
            )


# The retention settings and their bounds, in whole years (lms.quality.retention).
RETENTION_SETTINGS = ("RETENTION_EVIDENCE_YEARS", "RETENTION_SURVEY_YEARS")
RETENTION_MAX_YEARS = 50


def check_retention(config: Mapping[str, Any]) -> None:
    """Refuse retention periods that are not whole years between 1 and 50."""
    for key in RETENTION_SETTINGS:
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"LMS_{key} must be a whole number of years, not {value!r}")
        if not 1 <= value <= RETENTION_MAX_YEARS:
            raise ConfigError(
                f"LMS_{key} must be between 1 and {RETENTION_MAX_YEARS} years, not {value}"
            )


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to start a production instance with unsafe settings."""
    secret = config.get("SECRET_KEY")
    if not secret or secret == DEFAULT_SECRET_KEY or len(str(secret)) < 32:
        raise ConfigError(
            "LMS_SECRET_KEY must be set to a random value of at least 32 characters in production"
        )
    if config.get("DEBUG"):
        raise ConfigError("DEBUG must be off in production")
    if not config.get("BASE_URL"):
        raise ConfigError(
            "LMS_BASE_URL must be set in production: the links of e-mails and the addresses"
            " inside credentials, keys and revocation lists are built on it"
        )
