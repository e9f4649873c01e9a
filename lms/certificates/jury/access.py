"""Who reaches a jury: its members while their access lasts, administrators on their pages.

A member sees only their juries, the juries' candidates and their dossiers. Someone who sits
on no jury (or whose access ended) is denied (403) every jury page; a member asking for
another jury, or for somebody who is not a candidate of theirs, gets the 404 an unknown id
gets, so that ids tell nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.interfaces import ORMOption

from lms.accounts.models import User
from lms.accounts.permissions import deny
from lms.certificates.jury.models import Jury, JuryMember
from lms.cohorts.access import cohort_learner_or_404
from lms.core.time import organisation_timezone, utcnow
from lms.extensions import db


def local_today(now: datetime | None = None) -> date:
    """Return today's date in the organisation's time zone."""
    return (now or utcnow()).astimezone(organisation_timezone()).date()


def current_seats(user: User, today: date | None = None):
    """Return a select of the user's jury seats whose access has not ended."""
    return db.select(JuryMember).where(
        JuryMember.user_id == user.id, JuryMember.access_ends_on >= (today or local_today())
    )


def sits_on_a_jury(user: User) -> bool:
    """Tell whether the user sits on some jury today (one query)."""
    if not user.is_authenticated:
        return False
    query = current_seats(user).with_only_columns(JuryMember.id).limit(1)
    return db.session.scalar(query) is not None


def member_jury_or_404(jury_id: int, *options: ORMOption) -> tuple[Jury, JuryMember]:
    """Return the jury and the current user's seat on it; 403 off every jury, 404 off this one."""
    if not sits_on_a_jury(current_user):
        deny()
    query = current_seats(current_user).where(JuryMember.jury_id == jury_id).options(*options)
    member = db.session.scalar(query)
    if member is None:
        abort(404)
    return member.jury, member


def president_jury_or_404(jury_id: int, *options: ORMOption) -> tuple[Jury, JuryMember]:
    """Return the jury and the current user's seat when they preside it; 403 for other members."""
    jury, member = member_jury_or_404(jury_id, *options)
    if not member.is_president:
        abort(403)
    return jury, member


def jury_candidate_or_404(jury: Jury, user_id: int) -> User:
    """Return the candidate of the URL: a learner of the jury's cohort; 404 otherwise."""
    return cohort_learner_or_404(jury.cohort, user_id)


def jury_homes(sender: User, **_extra) -> list[tuple[str, str]]:
    """Answer learning's ``other_homes`` and cohorts' ``other_duties``: the member's juries
    while an access lasts (one query)."""
    return [("jury.my_juries", _("My juries"))] if sits_on_a_jury(sender) else []


def sits_for_project(sender, *, user: User, **_extra) -> bool:
    """Answer projects' ``project_jurors``: whether ``user`` sits, while their access lasts, on a
    jury of the cohort of the project's learner (one query)."""
    if not user.is_authenticated:
        return False
    query = (
        current_seats(user)
        .join(Jury, Jury.id == JuryMember.jury_id)
        .where(Jury.cohort_id == sender.cohort_id)
        .with_only_columns(JuryMember.id)
        .limit(1)
    )
    return db.session.scalar(query) is not None
