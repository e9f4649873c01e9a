"""E-mails to a cohort about its sessions: a new one, one that moved, one cancelled, an import.

Sent after the commit (never about a change that was rolled back), to the cohort's learners and
trainers whose accounts are active, each in their language, times in the organisation's time
zone. Only sessions that have not ended are announced: planning past sessions afterwards (to
record their attendance) tells nobody anything. Each change sends one message per person; an
import sends one digest per person listing every new session. Learners are pointed to their
schedule, trainers to the cohort's sessions page. A refused message is logged and undoes
nothing: the pages show the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from lms.accounts.models import User
from lms.accounts.tokens import link_to
from lms.attendance.models import TrainingSession
from lms.attendance.sessions.services import SessionFacts, facts
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.core.formatting import format_day
from lms.core.mail import MailError, send_mail
from lms.core.time import utcnow
from lms.extensions import db

SUBJECTS = {
    "created": _l("New session: %(module)s, %(day)s"),
    "moved": _l("Session changed: %(module)s, %(day)s"),
    "cancelled": _l("Session cancelled: %(module)s, %(day)s"),
    "digest": _l("New sessions in your schedule (%(cohort)s)"),
}


def one_line(text: str) -> str:
    """Return ``text`` on one line: a subject never carries a CR or LF (header injection)."""
    return " ".join(text.split())


def recipients(cohort_id: int) -> list[tuple[User, MembershipRole]]:
    """Return the cohort's active learners and trainers with their role (one query)."""
    query = (
        db.select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.cohort_id == cohort_id,
            Membership.role.in_((MembershipRole.LEARNER, MembershipRole.TRAINER)),
            User.is_active.is_(True),
        )
        .order_by(User.id)
    )
    return [(user, role) for user, role in db.session.execute(query)]


def _link(role: MembershipRole, cohort_id: int) -> str:
    if role == MembershipRole.TRAINER:
        return link_to("sessions_manage.sessions", cohort_id=cohort_id)
    return link_to("schedule.my_schedule")


def _send(
    user: User, role: MembershipRole, template: str, subject: dict, cohort: Cohort, **context
) -> bool:
    """Render and send one message in the person's language; False when it failed."""
    with force_locale(user.locale):
        body = render_template(
            f"attendance/sessions/mail/{template}.txt",
            user=user,
            cohort=cohort,
            link=_link(role, cohort.id),
            **context,
        )
        values = {**subject}
        if "day" in values:
            values["day"] = format_day(values["day"], "long")
        title = one_line(str(SUBJECTS[template]) % values)
    try:
        send_mail(user.email, title, body)
    except MailError:
        current_app.logger.warning("session mail %r to user %s not sent", template, user.id)
        return False
    return True


def _announce(template: str, cohort: Cohort, session: SessionFacts, **context) -> int:
    """Send one message about one session to everyone of its cohort; return the count."""
    subject = {"module": one_line(session.module_code), "day": session.starts_at}
    return sum(
        _send(user, role, template, subject, cohort, session=session, **context)
        for user, role in recipients(cohort.id)
    )


def notify_created(session: TrainingSession) -> int:
    """Tell the cohort about a new session that has not ended."""
    if session.ends_at <= utcnow():
        return 0
    return _announce("created", session.cohort, facts(session))


def notify_moved(session: TrainingSession, before: SessionFacts) -> int:
    """Tell the cohort that a session moved (time, modality, place or link), if it is to come."""
    after = facts(session)
    if not after.moved_from(before) or max(after.ends_at, before.ends_at) <= utcnow():
        return 0
    return _announce("moved", session.cohort, after, before=before)


def notify_cancelled(cohort: Cohort, before: SessionFacts) -> int:
    """Tell the cohort that a session that had not ended was cancelled."""
    if before.ends_at <= utcnow():
        return 0
    return _announce("cancelled", cohort, before)


def notify_imported(cohort: Cohort, sessions: Sequence[TrainingSession]) -> int:
    """Send each person of the cohort one digest of the imported sessions still to come."""
    now = utcnow()
    coming = sorted(
        (facts(session) for session in sessions if session.ends_at > now),
        key=lambda item: item.starts_at,
    )
    if not coming:
        return 0
    subject = {"cohort": one_line(cohort.name)}
    return sum(
        _send(user, role, "digest", subject, cohort, sessions=coming)
        for user, role in recipients(cohort.id)
    )
