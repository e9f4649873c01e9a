"""Outgoing e-mail through SMTP (``MAIL_*`` settings).

Without ``MAIL_SERVER``, a development instance writes the whole message to the log, so that a
developer can follow a password-reset link; a production instance never does (the message may
hold such a link): it logs only that mail is not configured.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid
from typing import TYPE_CHECKING, Any

from flask import current_app

if TYPE_CHECKING:
    from lms.core.jobs import InlineJob, QueuedJob


class MailError(Exception):
    """The message could not be handed to the SMTP server."""


def send_mail(to: str, subject: str, text_body: str, html_body: str | None = None) -> None:
    """Send one message to ``to``; raise MailError when the SMTP server refuses it."""
    config = current_app.config
    message = build_message(config, to, subject, text_body, html_body)
    if not config.get("MAIL_SERVER"):
        _log_instead(config, message)
        return
    try:
        _deliver(config, message)
    except (smtplib.SMTPException, OSError) as error:
        current_app.logger.error("mail.failed to=%r error=%s", to, type(error).__name__)
        raise MailError(str(error)) from error


def build_message(
    config: Mapping[str, Any], to: str, subject: str, text_body: str, html_body: str | None
) -> EmailMessage:
    """Build a plain-text message, with an HTML alternative when one is given."""
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_DEFAULT_SENDER"].rpartition("@")[2])
    message.set_content(text_body)
    if html_body is not None:
        message.add_alternative(html_body, subtype="html")
    return message


def _deliver(config: Mapping[str, Any], message: EmailMessage) -> None:
    """Hand the message to the SMTP server, over STARTTLS when ``MAIL_USE_TLS`` is on."""
    with smtplib.SMTP(
        config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=config["MAIL_TIMEOUT"]
    ) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def _log_instead(config: Mapping[str, Any], message: EmailMessage) -> None:
    """Write the message to the log in development; only a warning in production."""
    if config["ENV_NAME"] == "production":
        current_app.logger.warning("mail not configured: message to %r not sent", message["To"])
        return
    current_app.logger.info(
        "mail not configured (development): message follows\n%s", message.as_string()
    )


def queue_mail(
    to: str, subject: str, text_body: str, html_body: str | None = None
) -> InlineJob | QueuedJob:
    """Send the message from a worker (the ``mail`` queue), or at once without Redis.

    Failed deliveries are tried again three times on RQ (lms.core.jobs.RETRY_INTERVALS);
    inline, a failure is logged and reported by the returned handle.
    """
    from lms.core.jobs import enqueue

    return enqueue(send_mail, to, subject, text_body, html_body, queue="mail", retries=3)
