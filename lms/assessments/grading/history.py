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
        "marking.allocate": _("Allocated a marking"),
        "marking.reallocate": _("Given a marking by reallocation"),
        "marking.save": _("Marking saved"),
        "marking.submit": _("Marking submitted"),
        "marking.disagree": _("Markings disagree: third reader called"),
        "marking.agree": _("Markings agree: final grade set"),
        "marking.settle": _("Disagreement settled: final grade set"),
        "refused": _("Conflict: change refused"),
        "with_score": _("%(event)s: %(change)s"),
    }


# The events that record levels: their score is shown even when it did not change.
_SCORING_ACTIONS = ("grade.save", "grade.finish")


def event_label(event: GradeEvent, words: Mapping[str, str]) -> str:
    """Name a history event in words, with the score it changed ("Grade saved: – → 6/9").

    A refused change says so; an unknown code stays as it is. No score is shown while there is
    none, nor for an event that left it as it was (a release); never "None".
    """
    label = words["refused"] if not event.accepted else words.get(event.action, event.action)
    change = _score_change(event)
    return label if change is None else words["with_score"] % {"event": label, "change": change}


def _score_change(event: GradeEvent) -> str | None:
    """Return "before → after" of the event's score out of the maximum, or None (see above)."""
    before, after = event.before or {}, event.after or {}
    if "score" not in after:
        return None  # a refused attempt records the levels it wanted, not a score
    old, new = before.get("score"), after.get("score")
    if (old is None and new is None) or (old == new and event.action not in _SCORING_ACTIONS):
        return None
    maximum = event.grade.max_score if event.grade is not None else None

    def out_of(score: Any) -> str:
        if score is None:
            return "–"
        return f"{score}/{maximum}" if maximum is not None else str(score)

    return f"{out_of(old)} → {out_of(new)}"


def settled_reasons(grade: Grade) -> dict[int, list[tuple[str, str]]]:
    """Return {event id: [(criterion title, reason)]} of the third reader's settlement.

    Staff read them in the history once the final grade is set, never before (blind marking);
    criteria come in the rubric's order. No query beyond the grade's events and rubric.
    """
    if grade.state not in (GradeState.GRADED, GradeState.RELEASED):
        return {}
    criteria = grade.assessment.rubric.criteria if grade.assessment.rubric else []
    found: dict[int, list[tuple[str, str]]] = {}
    for event in grade.events:
        reasons = (event.after or {}).get("reasons") if event.accepted else None
        if event.action != "marking.submit" or not reasons:
            continue
        found[event.id] = [
            (criterion.title, reasons[str(criterion.id)])
            for criterion in criteria
            if reasons.get(str(criterion.id))
        ]
    return found
