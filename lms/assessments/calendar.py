"""What assessments adds to a learner's calendar feed and reminders: their deadlines.

``deadline_events`` answers ``lms.learning.signals.calendar_events``: one event per assessment
with a deadline for the learner (their extension, else the module's opening + ``due_days``),
linked to the assessment's page. Work already handed in stays in the calendar, marked « handed
in », so that the calendar keeps the history of the path. Trainers get no deadline events: their
cohorts' deadlines are on the gradebook.

``deadline_reminders`` answers ``lms.learning.signals.due_reminders``: a reminder
``REMINDER_DEADLINE_HOURS`` (48) before each deadline of a quiz or assignment not handed in yet.
Evaluations (practical or oral) have nothing to hand in and get no reminder. The subject names
the deadline itself: an extension granted afterwards moves it, and the learner is reminded
again before the new one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.accounts.models import User
from lms.accounts.tokens import link_to
from lms.assessments.deadlines import LearnerDeadline, learner_deadlines
from lms.assessments.models import AssessmentKind
from lms.assessments.registry import type_of
from lms.cohorts.models import Cohort, CohortState, Membership, MembershipRole
from lms.extensions import db
from lms.learning.calendar.events import CalendarEvent, event_uid
from lms.learning.reminders.values import Reminder, ReminderKind

REMINDER_SUBJECT = _l("Reminder: “%(title)s” is due on %(date)s")
HANDED_IN_KINDS = (AssessmentKind.QUIZ, AssessmentKind.ASSIGNMENT)


def _link(deadline: LearnerDeadline) -> str:
    return link_to(type_of(deadline.assessment).endpoint, assessment_id=deadline.assessment.id)


def deadline_events(
    user: User, *, learner_cohorts: Iterable[Cohort], **kwargs
) -> list[CalendarEvent]:
    """Return the learner's deadlines as calendar events (five queries)."""
    places = [(user.id, cohort.id, cohort.path_id) for cohort in learner_cohorts]
    events = []
    seen = set()
    for deadline in learner_deadlines(places):
        assessment = deadline.assessment
        if assessment.id in seen:
            continue
        seen.add(assessment.id)
        values = {"code": deadline.module_code, "title": assessment.title}
        if deadline.handed_in_at is not None and assessment.kind in HANDED_IN_KINDS:
            summary = _("Handed in: %(code)s · %(title)s", **values)
        else:
            summary = _("Due: %(code)s · %(title)s", **values)
        lines = []
        if deadline.extended:
            lines.append(_("Your deadline was extended."))
        link = _link(deadline)
        lines.append(link)
        events.append(
            CalendarEvent(
                uid=event_uid("deadline", assessment.id, user.id),
                summary=summary,
                starts_at=deadline.due_at,
                description="\n".join(lines),
                url=link,
                categories=(_("Deadline"),),
            )
        )
    return events


def deadline_reminders(now: datetime, *, kinds=None, **kwargs) -> list[Reminder]:
    """Return the reminders of deadlines within the next 48 hours, work not handed in."""
    if kinds is not None and ReminderKind.DEADLINE not in kinds:
        return []
    horizon = now + timedelta(hours=current_app.config["REMINDER_DEADLINE_HOURS"])
    places = db.session.execute(
        db.select(Membership.user_id, Cohort.id, Cohort.path_id)
        .join(Membership.cohort)
        .join(Membership.user)
        .where(
            Membership.role == MembershipRole.LEARNER,
            Cohort.state == CohortState.ACTIVE,
            User.is_active,
        )
    ).tuples()
    reminders = []
    for deadline in learner_deadlines(places):
        assessment = deadline.assessment
        if assessment.kind not in HANDED_IN_KINDS or deadline.handed_in_at is not None:
            continue
        if not now < deadline.due_at <= horizon:
            continue
        reminders.append(
            Reminder(
                kind=ReminderKind.DEADLINE,
                user_id=deadline.learner_id,
                subject_key=f"assessment:{assessment.id}:{deadline.due_at:%Y-%m-%dT%H:%M}",
                template="assessments/mail/deadline_reminder.txt",
                subject=REMINDER_SUBJECT,
                subject_values={
                    "title": assessment.title,
                    "date": deadline.due_at,
                },
                values={
                    "title": assessment.title,
                    "module_code": deadline.module_code,
                    "due_at": deadline.due_at,
                    "extended": deadline.extended,
                    "link": _link(deadline),
                },
            )
        )
    return reminders
