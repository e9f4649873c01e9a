"""E-mails to the learner about their certificate: issued, revoked, re-issued.

Callers send them after the commit, so that nobody hears of a certificate that was rolled
back. Each message is written in the learner's language and links to the public verification
page; issued and re-issued ones also say where to download the PDF (the learner's certificates
page). A revocation tells the learner why: the public page says only when (see
lms.certificates.verification), but the holder deserves the reason. A refused message is logged
and undoes nothing: the learner sees the certificate on their page anyway.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from lms.accounts.tokens import link_to
from lms.certificates.document import document_from_json
from lms.certificates.issuing import verification_url
from lms.certificates.models import Certificate
from lms.core.mail import MailError, send_mail

SUBJECTS = {
    "issued": _l("Your certificate for “%(title)s” is issued"),
    "revoked": _l("Your certificate for “%(title)s” was revoked"),
    "reissued": _l("A new certificate for “%(title)s” replaces the previous one"),
}
# The learner's list of certificates, where the PDF is downloaded (lms.certificates.views).
DOWNLOAD_ENDPOINT = "my_certificates.my_certificates"


def one_line(text: str) -> str:
    """Return ``text`` on one line: a subject must never carry a CR or LF (header injection)."""
    return " ".join(text.split())


def download_link() -> str | None:
    """Return the absolute link to the learner's certificates page, when the app has one."""
    if DOWNLOAD_ENDPOINT not in current_app.view_functions:
        return None
    return link_to(DOWNLOAD_ENDPOINT)


def _send(certificate: Certificate, template: str, **context) -> bool:
    """Render and send one message to the certificate's learner in their language."""
    user = certificate.learner
    document = document_from_json(certificate.document)
    with force_locale(user.locale):
        body = render_template(
            f"certificates/mail/{template}.txt",
            user=user,
            certificate=certificate,
            document=document,
            verify_link=verification_url(certificate.code),
            download_link=download_link(),
            **context,
        )
        subject = str(SUBJECTS[template]) % {"title": one_line(document.path_title)}
    try:
        send_mail(user.email, subject, body)
    except MailError:
        current_app.logger.warning(
            "certificate mail %r to user %s not sent (certificate %s)",
            template,
            user.id,
            certificate.id,
        )
        return False
    return True


def notify_issued(certificate: Certificate) -> bool:
    """Tell the learner their certificate is issued: where to download it, how it is verified."""
    return _send(certificate, "issued")


def notify_revoked(certificate: Certificate) -> bool:
    """Tell the learner their certificate was revoked, when and why."""
    return _send(certificate, "revoked")


def notify_reissued(new: Certificate, old: Certificate) -> bool:
    """Tell the learner a new certificate replaces the old one, and where to find it."""
    return _send(new, "reissued", old=old)
