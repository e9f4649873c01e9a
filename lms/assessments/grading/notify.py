"""E-mails of the grading workflow: to the learner on release and on return, trainers' digest.

Callers send them after the commit, so that nobody hears of a change that was rolled back. Each
message is written in its recipient's language. A refused message is logged and does not undo
the grade: the learner sees it on their page anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from lms.accounts.models import User
from lms.accounts.tokens import link_to
from lms.assessments.models import Grade
from lms.assessments.registry import type_of
from lms.core.mail import MailError, send_mail

SUBJECTS = {
    "released": _l("Your result for “%(title)s” is available"),
    "returned": _l("Your work for “%(title)s” was returned for revision"),
    "digest": _l("%(count)d new works to grade"),
}


def _send(user: User, template: str, values: dict, **context) -> bool:
    """Render and send one message to ``user`` in their language; False when it failed."""
    with force_locale(user.locale):
        body = render_template(f"assessments/grading/mail/{template}.txt", user=user, **context)
        title = str(SUBJECTS[template]) % values
    try:
        send_mail(user.email, title, body)
    except MailError:
        current_app.logger.warning("grading mail to user %s not sent", user.id)
        return False
    return True


def assessment_link(grade: Grade) -> str:
    """Return the absolute link to the learner's page of the graded assessment."""
    return link_to(type_of(grade.assessment).endpoint, assessment_id=grade.assessment_id)


def notify_released(grades: Iterable[Grade]) -> int:
    """Tell each learner their grade is released; return how many messages left."""
    sent = 0
    for grade in grades:
        sent += _send(
            grade.learner,
            "released",
            {"title": grade.assessment.title},
            grade=grade,
            link=assessment_link(grade),
        )
    return sent


def notify_returned(grade: Grade) -> bool:
    """Tell the learner their work was returned for revision, with the trainer's note."""
    return _send(
        grade.learner,
        "returned",
        {"title": grade.assessment.title},
        grade=grade,
        link=assessment_link(grade),
    )


def send_digest(trainer: User, items: list, since: datetime) -> bool:
    """Send one trainer the list of new work in their queue since ``since``."""
    return _send(
        trainer,
        "digest",
        {"count": len(items)},
        items=items,
        since=since,
        link=link_to("grading.queue"),
    )
