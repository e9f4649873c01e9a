"""E-mails of double marking: to a marker allocated a work, to a third reader called to settle.

Sent after the commit, in the recipient's language, like ``lms.assessments.grading.notify``. They
name the work and the learner, never the other marker nor anything of another marking. A
refused message is logged; the marking stays in the marker's queue anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from lms.accounts.tokens import link_to
from lms.assessments.grading.notify import notify_released
from lms.assessments.models import Marking, MarkingRole
from lms.core.mail import MailError, send_mail

SUBJECTS = {
    "allocated": _l("A work to mark: “%(title)s”"),
    "third": _l("A disagreement to settle: “%(title)s”"),
}


def _send(marking: Marking, template: str) -> bool:
    """Send one message about a marking to its marker; False when it failed."""
    user, grade = marking.marker, marking.grade
    with force_locale(user.locale):
        body = render_template(
            f"assessments/marking/mail/{template}.txt",
            user=user,
            grade=grade,
            link=link_to("marking.marking", marking_id=marking.id),
        )
        title = str(SUBJECTS[template]) % {"title": grade.assessment.title}
    try:
        send_mail(user.email, title, body)
    except MailError:
        current_app.logger.warning("marking mail to user %s not sent", user.id)
        return False
    return True


def notify_allocated(markings: Iterable[Marking]) -> int:
    """Tell each newly allocated marker (third readers get their own message); return the count."""
    return sum(
        _send(marking, "third" if marking.role == MarkingRole.THIRD else "allocated")
        for marking in markings
    )


def after_submission(outcome) -> None:
    """Tell the third reader just called, or the learner of a grade released at once."""
    if outcome.third is not None:
        notify_allocated([outcome.third])
    if outcome.released:
        notify_released([outcome.marking.grade])
