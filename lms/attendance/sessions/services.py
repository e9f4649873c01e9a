"""Creating, changing and deleting a cohort's sessions; reading them. Audited.

Plans are checked by ``lms.attendance.sessions.plans`` (``plan_problems``: times, cohort dates,
module, trainers, place or link, overlaps); a bad plan raises ``SessionInvalid`` with its
problems, each beside its field.

Once a session's attendance sheet is closed, the session is what the learners and the trainer
signed: it can no longer change (``SessionFrozen``). A session whose sheet holds records, or is
closed, cannot be deleted either. Deleting a session that has not ended cancels it: the cohort
hears of it (``lms.attendance.sessions.notify``), as it hears of a new or moved session.

Services flush, never commit; each change writes an audit event (``session.create``,
``session.update``, ``session.delete``) with what the session was and became.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.attendance.models import TrainingSession
from lms.attendance.sessions.plans import (
    LINK_LENGTH,
    PLACE_LENGTH,
    Problem,
    SessionFacts,
    SessionPlan,
    clock_text,
    cohort_trainer_ids,
    cohort_trainers,
    describe,
    facts,
    local_day,
    local_instant,
    overlap_message,
    overlapping,
    parse_clock,
    plan_problems,
)
from lms.cohorts.models import Cohort
from lms.core.transactions import DomainError
from lms.extensions import db

__all__ = [
    "LINK_LENGTH",
    "PLACE_LENGTH",
    "Problem",
    "SessionError",
    "SessionFacts",
    "SessionFrozen",
    "SessionInvalid",
    "SessionPlan",
    "clock_text",
    "cohort_sessions",
    "cohort_trainer_ids",
    "cohort_trainers",
    "create_session",
    "delete_session",
    "describe",
    "facts",
    "is_frozen",
    "local_day",
    "local_instant",
    "minutes_by_module",
    "new_session",
    "overlap_message",
    "overlapping",
    "parse_clock",
    "plan_problems",
    "update_session",
]


class SessionError(DomainError):
    """A session change was refused; the message says why (and ``field`` which input)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class SessionInvalid(SessionError):
    """The plan has problems: ``problems`` lists each with its field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = list(problems)


class SessionFrozen(SessionError):
    """The session's attendance sheet is closed: the session is what was signed."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This session's attendance sheet is closed: its date, times, place and "
                "trainers are those signed, and can no longer change."
            )
        )


# Changing sessions --------------------------------------------------------------------------


def create_session(actor: User, cohort: Cohort, plan: SessionPlan) -> TrainingSession:
    """Create a session of the cohort from a plan; raise ``SessionInvalid`` with its problems."""
    if problems := plan_problems(cohort, plan):
        raise SessionInvalid(problems)
    session = new_session(cohort, plan)
    db.session.flush()
    record_audit_event(actor, "session.create", session, after=facts(session).audit())
    return session


def new_session(cohort: Cohort, plan: SessionPlan) -> TrainingSession:
    """Add a session of the cohort made from an already checked plan (not flushed)."""
    session = TrainingSession(cohort=cohort)
    _apply(session, plan)
    db.session.add(session)
    return session


def _apply(session: TrainingSession, plan: SessionPlan) -> None:
    session.module = plan.module
    session.starts_at, session.ends_at = plan.starts_at, plan.ends_at
    session.modality = plan.modality
    session.place, session.link = plan.place, plan.link
    session.trainers = sorted(plan.trainers, key=lambda user: user.id)


def is_frozen(session: TrainingSession) -> bool:
    """Tell whether the session's sheet is closed (the session can no longer change)."""
    return session.sheet is not None and session.sheet.is_closed


def update_session(actor: User, session: TrainingSession, plan: SessionPlan) -> SessionFacts:
    """Change a session to the plan; return what it was before. Audited when it changed.

    Raises ``SessionFrozen`` once its sheet is closed, ``SessionInvalid`` for a bad plan.
    """
    if is_frozen(session):
        raise SessionFrozen()
    if problems := plan_problems(session.cohort, plan, session=session):
        raise SessionInvalid(problems)
    before = facts(session)
    _apply(session, plan)
    db.session.flush()
    after = facts(session)
    if after != before:
        record_audit_event(
            actor, "session.update", session, before=before.audit(), after=after.audit()
        )
    return before


def delete_session(actor: User, session: TrainingSession) -> SessionFacts:
    """Delete a session (its empty sheet with it); return what it was. Audited.

    Refused once its sheet holds records or is closed: they prove attendance.
    """
    sheet = session.sheet
    if sheet is not None and sheet.is_closed:
        raise SessionError(
            _("This session's attendance sheet is closed: the session cannot be deleted.")
        )
    if sheet is not None and sheet.records:
        raise SessionError(
            _(
                "This session's attendance sheet already holds attendance records: the "
                "session cannot be deleted."
            )
        )
    before = facts(session)
    record_audit_event(actor, "session.delete", session, before=before.audit())
    db.session.delete(session)
    db.session.flush()
    return before


# Reading sessions ---------------------------------------------------------------------------


def cohort_sessions(cohort: Cohort) -> list[TrainingSession]:
    """Return the cohort's sessions in time order, modules, trainers and sheets loaded."""
    return list(
        db.session.scalars(
            db.select(TrainingSession)
            .where(TrainingSession.cohort_id == cohort.id)
            .options(
                selectinload(TrainingSession.module),
                selectinload(TrainingSession.trainers),
                selectinload(TrainingSession.sheet),
            )
            .order_by(TrainingSession.starts_at, TrainingSession.id)
        )
    )


def minutes_by_module(sessions: Iterable[TrainingSession]) -> dict[int, int]:
    """Return the minutes of sessions planned per module id."""
    totals: dict[int, int] = {}
    for session in sessions:
        totals[session.module_id] = totals.get(session.module_id, 0) + session.minutes
    return totals
