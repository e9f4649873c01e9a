"""A marker's work: save a draft, submit (frozen from then on), and the third reader's settlement.

Saving uses the marking's optimistic lock (``version_id``): a save of a marking changed since it
was read raises ``MarkingConflict`` (answered 409, with when it changed, never by whom: it may
only be the marker in another tab or staff reallocating it). A submitted marking is frozen:
any later edit raises ``MarkingFrozen`` (409). Submitting and settling take the work's grade row
lock first (``lock_row_for_update``), so that two markers submitting at once are both accepted
and the reconciliation (``lms.assessments.marking.reconciliation``) happens exactly once.

Services flush, never commit; e-mails go after the commit (``lms.assessments.marking.notify``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.assessments.grading.history import record_event
from lms.assessments.marking import reconciliation as rec
from lms.assessments.marking.allocation import MarkingError, allocate_third_reader
from lms.assessments.models import (
    Grade,
    GradeState,
    Marking,
    MarkingChoice,
    MarkingRole,
    MarkingState,
    RubricLevel,
)
from lms.core.db import lock_row_for_update
from lms.core.time import utcnow
from lms.extensions import db
from lms.learning.services import learner_cohort_for_path


class MarkingConflict(MarkingError):
    """The marking changed since it was read (answered 409)."""

    def __init__(self, changed_at: datetime | None = None) -> None:
        super().__init__(_("This marking was changed since you opened it: reload the page."))
        self.changed_at = changed_at


class MarkingFrozen(MarkingError):
    """The marking is submitted: it can no longer change (answered 409)."""

    def __init__(self) -> None:
        super().__init__(_("This marking is submitted: it can no longer be changed."))


class MarkingChoiceErrors(MarkingError):
    """Some levels or reasons are missing or invalid: ``errors`` maps criterion ids to messages."""

    def __init__(self, errors: dict[int, str]) -> None:
        super().__init__(_("Some criteria need a valid level."))
        self.errors = errors


@dataclass
class Outcome:
    """What a submission led to: the final grade set, or a third reader allocated."""

    marking: Marking
    finalised: bool = False
    released: bool = False
    third: Marking | None = None


def _locked(marking: Marking) -> Marking:
    """Take the work's grade row lock, then read the marking afresh."""
    lock_row_for_update(db.session, Grade, marking.grade_id)
    db.session.refresh(marking)
    return marking


def _check_open(marking: Marking, marker: User, expected_version: int) -> None:
    if marking.marker_id != marker.id:
        raise MarkingError(_("This marking is not allocated to you."))
    if marking.state == MarkingState.SUBMITTED:
        raise MarkingFrozen()
    if expected_version != marking.version_id:
        raise MarkingConflict(marking.updated_at)


def checked_levels(marking: Marking, choices: Mapping[int, int], complete: bool):
    """Return {criterion id: level} for the choices; raise naming each bad or missing one."""
    criteria = {criterion.id: criterion for criterion in marking.grade.assessment.rubric.criteria}
    errors: dict[int, str] = {}
    levels: dict[int, RubricLevel] = {}
    for criterion_id, level_id in choices.items():
        criterion = criteria.get(criterion_id)
        level = (
            next((lv for lv in criterion.levels if lv.id == level_id), None) if criterion else None
        )
        if level is None:
            errors[criterion_id] = _("Choose one of this criterion's levels.")
        else:
            levels[criterion_id] = level
    if complete:
        for criterion_id in criteria:
            if criterion_id not in levels and criterion_id not in errors:
                errors[criterion_id] = _("Choose a level for this criterion before submitting.")
    if errors:
        raise MarkingChoiceErrors(errors)
    return levels


def _snapshot(marking: Marking) -> dict:
    return {
        "role": str(marking.role),
        "state": str(marking.state),
        "score": marking.score,
        "feedback": marking.feedback,
        "choices": {str(c.criterion_id): c.level_id for c in marking.choices},
    }


def save_marking(
    marker: User,
    marking: Marking,
    *,
    expected_version: int,
    choices: Mapping[int, int],
    feedback: str,
    submit: bool = False,
) -> Outcome:
    """Save the marker's levels and feedback; with ``submit``, freeze it and reconcile if due."""
    if marking.role == MarkingRole.THIRD:
        raise MarkingError(_("A third reader settles the disputed criteria instead."))
    if submit:
        _locked(marking)
    _check_open(marking, marker, expected_version)
    levels = checked_levels(marking, choices, complete=submit)
    before = _snapshot(marking)
    existing = {c.criterion_id: c for c in marking.choices}
    marking.choices = [c for c in marking.choices if c.criterion_id in levels]
    for criterion_id, level in levels.items():
        if criterion_id in existing:
            existing[criterion_id].level_id = level.id
        else:
            marking.choices.append(MarkingChoice(criterion_id=criterion_id, level_id=level.id))
    marking.score = sum(level.points for level in levels.values()) if levels else None
    marking.feedback = (feedback or "").replace("\r\n", "\n").strip()
    marking.state = MarkingState.SUBMITTED if submit else MarkingState.IN_PROGRESS
    marking.submitted_at = utcnow() if submit else None
    marking.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError as error:
        raise MarkingConflict() from error
    action = "marking.submit" if submit else "marking.save"
    record_event(marker, marking.grade, action, before, _snapshot(marking))
    outcome = Outcome(marking)
    if submit:
        _reconcile(marker, marking.grade, outcome)
    return outcome


def _reconcile(marker: User, grade: Grade, outcome: Outcome) -> None:
    """Once every declared marking is in: the final grade, or a third reader (once)."""
    markings = rec.by_role(
        list(
            db.session.scalars(
                db.select(Marking)
                .filter_by(grade_id=grade.id)
                .order_by(Marking.id)
                .execution_options(populate_existing=True)
            )
        )
    )
    pools = grade.assessment.marker_pools
    if rec.is_final(grade) or MarkingRole.THIRD in markings:
        return
    if not rec.all_submitted(list(markings.values()), len(pools)):
        return
    first = markings[MarkingRole.FIRST]
    if len(pools) == 1:
        levels = {c: rec.level_of(first, c) for c in grade.assessment.rubric.criteria}
        rec.finalise(first.marker, grade, levels, first.feedback, "marking.agree")
    else:
        second = markings[MarkingRole.SECOND]
        gaps = rec.disputed(first, second, grade.assessment.marking_tolerance or 0)
        if gaps:
            record_event(
                marker, grade, "marking.disagree", None, {"criteria": [c.id for c in gaps]}
            )
            cohort = learner_cohort_for_path(grade.learner, grade.assessment.path_id)
            if cohort is None:
                raise MarkingError(_("The learner follows no active cohort of this path."))
            outcome.third = allocate_third_reader(grade, cohort)
            return
        feedback = rec.combined_feedback(grade, first, second)
        rec.finalise(
            second.marker, grade, rec.final_levels(first, second), feedback, "marking.agree"
        )
    outcome.finalised = True
    outcome.released = grade.state == GradeState.RELEASED


def settle(
    reader: User,
    marking: Marking,
    *,
    expected_version: int,
    settled: Mapping[int, tuple[int | None, str]],
    feedback: str,
) -> Outcome:
    """Set every disputed criterion (level and reason) and the final feedback: the final grade."""
    if marking.role != MarkingRole.THIRD:
        raise MarkingError(_("Only the third reader settles a disagreement."))
    _locked(marking)
    _check_open(marking, reader, expected_version)
    grade = marking.grade
    markings = rec.by_role(
        list(db.session.scalars(db.select(Marking).filter_by(grade_id=grade.id)))
    )
    first, second = markings[MarkingRole.FIRST], markings[MarkingRole.SECOND]
    disputed = rec.disputed(first, second, grade.assessment.marking_tolerance or 0)
    errors: dict[int, str] = {}
    levels: dict[int, RubricLevel] = {}
    reasons: dict[int, str] = {}
    for criterion in disputed:
        level_id, reason = settled.get(criterion.id, (None, ""))
        level = next((lv for lv in criterion.levels if lv.id == level_id), None)
        reason = (reason or "").strip()
        if level is None:
            errors[criterion.id] = _("Choose the level this criterion deserves.")
        elif not reason:
            errors[criterion.id] = _("Say why you settle this criterion at this level.")
        else:
            levels[criterion.id], reasons[criterion.id] = level, reason
    if errors:
        raise MarkingChoiceErrors(errors)
    feedback = (feedback or "").replace("\r\n", "\n").strip()
    if not feedback:
        raise MarkingError(_("Write the final feedback to the learner."))
    before = _snapshot(marking)
    marking.choices = [
        MarkingChoice(criterion_id=cid, level_id=lv.id, settles=True, reason=reasons[cid])
        for cid, lv in levels.items()
    ]
    final = rec.final_levels(first, second, levels)
    marking.score = sum(level.points for level in final.values())
    marking.feedback = feedback
    marking.state = MarkingState.SUBMITTED
    marking.submitted_at = marking.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError as error:
        raise MarkingConflict() from error
    after = {**_snapshot(marking), "reasons": {str(cid): r for cid, r in reasons.items()}}
    record_event(reader, grade, "marking.submit", before, after)
    rec.finalise(reader, grade, final, feedback, "marking.settle")
    return Outcome(marking, finalised=True, released=grade.state == GradeState.RELEASED)
