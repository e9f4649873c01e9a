"""What issuing certificates needs from the instance's configuration, and where it is set.

The signatory, their title and the place printed on certificates are settings of the instance:
``LMS_*`` environment variables, or the same names without ``LMS_`` in ``lms.cfg`` in the
instance folder, which every process serving the instance reads when it starts (``lms run``,
gunicorn, ``lms worker``). In production the public address (``BASE_URL``) is needed too: the
verification link printed on a certificate never changes, and without it the link would
follow the Host header of the issuing request, which the client chooses. In development it
follows the address the issuing request came to (a command or a worker, with no request,
uses ``http://localhost``: set ``LMS_BASE_URL`` to issue from them with the right link).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from lms.config import instance_config_path
from lms.core import pades

REQUIRED_SETTINGS = (
    "CERTIFICATE_SIGNATORY_NAME",
    "CERTIFICATE_SIGNATORY_TITLE",
    "CERTIFICATE_PLACE",
)


def missing_settings() -> list[str]:
    """Name the settings issuing needs that the instance leaves unset (``lms.cfg`` names)."""
    config = current_app.config
    missing = [key for key in REQUIRED_SETTINGS if not str(config.get(key) or "").strip()]
    if config.get("ENV_NAME") == "production" and not config.get("BASE_URL"):
        missing.append("BASE_URL")
    return missing


def missing_settings_message(missing: list[str]) -> str:
    """Say which settings to set, and where, before certificates can be issued."""
    return _(
        "Certificates cannot be issued until this instance sets %(settings)s: set each as an "
        "environment variable, or without “LMS_” in %(file)s, then restart every process "
        "that serves the instance.",
        settings=", ".join(f"LMS_{key}" for key in missing),
        file=instance_config_path(current_app),
    )


def settings_context() -> dict[str, object]:
    """Give the issuing pages the missing settings and the config file, to say what to set,
    and why documents cannot be signed, if they cannot (an expired certificate, say)."""
    return {
        "missing_settings": missing_settings(),
        "instance_config": instance_config_path(current_app),
        "signing_problem": pades.signing_problem(),
    }
