"""A grade's history: what each change records, and the words that name states and actions.

Every accepted change appends a ``GradeEvent`` (actor, before → after) and, when the state or
score changes, an audit event and a security log line. A save refused because somebody else
changed the grade since it was read is recorded too, after the caller's rollback, with
``record_rejected_save``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.assessments.models import Grade, GradeEvent, GradeState
from lms.core.logging import security_event
from lms.extensions import db


def snapshot(grade: Grade) -> dict[str, Any]:
    """Return what the history records of a grade: state, score, feedback, choices."""
    return {
        "state": str(grade.state),
        "score": grade.score,
        "passed": grade.passed,
        "feedback": grade.feedback or "",
        "choices": {str(choice.criterion_id): choice.level_id for choice in grade.choices},
    }


def last_change(grade: Grade) -> tuple[User | None, datetime]:
    """Return who last changed the grade (accepted history) and when."""
    event = db.session.scalar(
        db.select(GradeEvent)
        .filter_by(grade_id=grade.id, accepted=True)
        .order_by(GradeEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return grade.grader, grade.updated_at
    return event.actor, event.created_at


def record_rejected_save(actor: User, grade: Grade, attempted: Mapping[str, Any]) -> GradeEvent:
    """Append the refused concurrent save to the history (call after the rollback)."""
    event = record_event(
        actor, grade, "grade.save", snapshot(grade), dict(attempted), accepted=False
    )
    security_event("grade.conflict", grade_id=grade.id, actor_id=actor.id, version=grade.version_id)
    return event


def attempted_snapshot(choices: Mapping[int, int], feedback: str, state: str) -> dict[str, Any]:
    """Return what a refused request wanted to write (``state``: the state it aimed at)."""
    return {
        "state": state,
        "feedback": feedback or "",
        "choices": {str(criterion): level for criterion, level in choices.items()},
    }


def record_event(actor, grade, action, before, after, accepted: bool = True) -> GradeEvent:
    """Append one history event to the grade."""
    event = GradeEvent(
        grade_id=grade.id, actor=actor, action=action, before=before, after=after, accepted=accepted
    )
    db.session.add(event)
    db.session.flush()
    return event


def log_state_change(actor: User, grade: Grade, before: dict | None, state: GradeState) -> None:
    """Audit a grade's change of state or score, and write its security log line."""
    after = {"state": str(state), "score": grade.score}
    old = {"state": before["state"], "score": before["score"]} if before else None
    record_audit_event(actor, "grade.change", grade, before=old, after=after)
    security_event(
        "grade.change",
        grade_id=grade.id,
        actor_id=actor.id,
        learner_id=grade.learner_id,
        old_state=old["state"] if old else None,
        new_state=str(state),
        old_score=old["score"] if old else None,
        new_score=grade.score,
    )


def state_word(state: GradeState) -> str:
    """Return a state in words."""
    return str(state_words()[state])


def state_words() -> dict[str, str]:
    """Return each queue state in words (translated once per page)."""
    return {
        "to_grade": _("To grade"),
        "to_record": _("To record"),
        GradeState.GRADING: _("Grading"),
        GradeState.GRADED: _("Graded"),
        GradeState.RETURNED: _("Returned"),
        GradeState.RELEASED: _("Released"),
    }


def event_words() -> dict[str, str]:
    """Return each history action in words (translated once per page); see ``event_label``."""
    return {
        "grade.start": _("Grading started"),
        "grade.save": _("Grade saved"),
        "grade.finish": _("Grade saved and marked graded"),
        "grade.release": _("Released"),
        "grade.return": _("Returned for revision"),
        "refused": _("Conflict: change refused"),
    }


def event_label(event: GradeEvent, words: Mapping[str, str]) -> str:
    """Name a history event in words: a refused change says so; an unknown code stays as is."""
    if not event.accepted:
        return words["refused"]
    return words.get(event.action, event.action)
