"""The learner's schedule (blueprint ``schedule``): the sessions of the cohorts they learn in.

Upcoming sessions first (the one under way marked), then past ones, most recent first: date,
times in the organisation's time zone, module, modality with place or link, trainers; a session
whose sheet is open for signing now links to its signing page. People
who learn in no cohort see an empty schedule that says so. The page costs the same few queries
whatever the number of sessions.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.permissions import login_required
from lms.attendance.access import learner_cohort_ids
from lms.attendance.models import TrainingSession
from lms.attendance.sessions.forms import MODALITY_LABELS
from lms.attendance.sessions.services import clock_text
from lms.attendance.sheets.services import signing_window
from lms.core.time import utcnow
from lms.extensions import db

bp = Blueprint("schedule", __name__)


def learner_sessions(user) -> list[TrainingSession]:
    """Return the sessions of the cohorts ``user`` learns in, by start (5 queries)."""
    return list(
        db.session.scalars(
            db.select(TrainingSession)
            .where(TrainingSession.cohort_id.in_(learner_cohort_ids(user)))
            .options(
                joinedload(TrainingSession.cohort),
                joinedload(TrainingSession.module),
                selectinload(TrainingSession.trainers),
                selectinload(TrainingSession.sheet),
            )
            .order_by(TrainingSession.starts_at, TrainingSession.id)
        ).unique()
    )


def _open_for_signing(session: TrainingSession, now) -> bool:
    """Whether the session's sheet is open and its signing window includes ``now``."""
    if session.sheet is None or session.sheet.is_closed:
        return False
    window = signing_window(session)
    return window.opens_at <= now <= window.closes_at


@bp.get("/schedule")
@login_required
def my_schedule():
    """Show the learner's upcoming and past sessions."""
    now = utcnow()
    sessions = learner_sessions(current_user)
    upcoming = [session for session in sessions if session.ends_at > now]
    past = [session for session in reversed(sessions) if session.ends_at <= now]
    cohorts = {session.cohort_id for session in sessions}
    signable = {session.id for session in upcoming if _open_for_signing(session, now)}
    return render_template(
        "attendance/sessions/schedule.html",
        upcoming=upcoming,
        past=past,
        now=now,
        several_cohorts=len(cohorts) > 1,
        signable=signable,
        modality_labels=MODALITY_LABELS,
        clock=clock_text,
    )
