"""The entry positioning's use cases: the learner's self-assessment, the trainer's review.

A learner **self-assesses** every competency of their cohort's path on its proficiency scale
(``self_assess``): every competency needs a level of the scale, a comment is optional; they may
change it until a trainer has reviewed it. A trainer **reviews** the positioning
(``review_positioning``): the entry level retained for every competency and the adjustments
decided for the learner's course (free text, which may say that none is needed); reviewing
again amends it. Both are refused with ``PositioningConflict`` (answered 409) when the
positioning changed since the form was read, or once reviewed for the learner: the row's
``version_id`` catches two saves flushed at once. Reviews are audited. Services flush and never
commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.accounts.services import record_audit_event
from lms.cohorts.models import Cohort
from lms.core.time import utcnow
from lms.core.transactions import DomainError
from lms.extensions import db
from lms.quality.positioning.frame import Frame
from lms.quality.positioning.models import Positioning, PositioningLevel

COMMENT_MAX = 2000
ADJUSTMENTS_MAX = 5000


class PositioningError(DomainError):
    """A positioning was refused; ``field`` names the form field it concerns, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class PositioningConflict(PositioningError):
    """The positioning changed since the form was read, or is reviewed already (409)."""


@dataclass(frozen=True)
class SelfLevel:
    """What the learner says of one competency."""

    level: int
    comment: str = ""


def positioning_of(cohort: Cohort, learner: User) -> Positioning | None:
    """Return the learner's positioning in the cohort with its levels, or None (two queries)."""
    return db.session.scalar(
        db.select(Positioning)
        .filter_by(cohort_id=cohort.id, learner_id=learner.id)
        .options(selectinload(Positioning.levels))
        .execution_options(populate_existing=True)
    )


def _check_levels(frame: Frame, levels: Mapping[int, int], name: str) -> None:
    """Every competency of the frame has a level of the scale, and nothing else is given."""
    values = frame.values
    for competency in frame.competencies:
        level = levels.get(competency.id)
        if level is None:
            raise PositioningError(_("Choose a level of the scale."), f"{name}_{competency.id}")
        if level not in values:
            raise PositioningError(
                _("%(level)d is not a level of the scale.", level=level),
                f"{name}_{competency.id}",
            )
    unknown = set(levels) - {competency.id for competency in frame.competencies}
    if unknown:
        raise PositioningError(_("A competency given is not one of the path."))


def _levels_by_competency(positioning: Positioning) -> dict[int, PositioningLevel]:
    return {level.competency_id: level for level in positioning.levels}


def _flush(message: str) -> None:
    """Flush; a save that lost a race with another one is a conflict."""
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError) as error:
        raise PositioningConflict(message) from error


def self_assess(
    learner: User,
    cohort: Cohort,
    frame: Frame,
    answers: Mapping[int, SelfLevel],
    *,
    expected_version: int | None,
) -> Positioning:
    """Record the learner's level (and comment) for every competency; refuse once reviewed."""
    changed = _("Your positioning changed meanwhile: read it again.")
    _check_levels(frame, {cid: answer.level for cid, answer in answers.items()}, "level")
    for competency_id, answer in answers.items():
        if len(answer.comment) > COMMENT_MAX:
            raise PositioningError(
                _("Keep the comment under %(count)d characters.", count=COMMENT_MAX),
                f"comment_{competency_id}",
            )
    positioning = positioning_of(cohort, learner)
    if positioning is not None and positioning.reviewed_at is not None:
        raise PositioningConflict(
            _("A trainer has reviewed your positioning: it can no longer be changed.")
        )
    seen = positioning.version_id if positioning is not None else None
    if expected_version is not None and seen != expected_version:
        raise PositioningConflict(changed)
    if positioning is None:
        positioning = Positioning(cohort_id=cohort.id, learner_id=learner.id)
        db.session.add(positioning)
    existing = _levels_by_competency(positioning)
    for competency in frame.competencies:
        answer = answers[competency.id]
        row = existing.get(competency.id)
        if row is None:
            row = PositioningLevel(competency_id=competency.id)
            positioning.levels.append(row)
        row.self_level = answer.level
        row.self_comment = answer.comment.strip()
    positioning.self_assessed_at = utcnow()
    _flush(changed)
    return positioning


def review_positioning(
    actor: User,
    cohort: Cohort,
    learner: User,
    frame: Frame,
    entry_levels: Mapping[int, int],
    adjustments: str,
    *,
    expected_version: int | None,
) -> Positioning:
    """Record the entry level of every competency and the adjustments decided; audited."""
    changed = _("This positioning changed meanwhile: read it again.")
    _check_levels(frame, entry_levels, "entry")
    adjustments = adjustments.strip()
    if not adjustments:
        raise PositioningError(
            _("Write the adjustments decided, or that none is needed."), "adjustments"
        )
    if len(adjustments) > ADJUSTMENTS_MAX:
        raise PositioningError(
            _("Keep the adjustments under %(count)d characters.", count=ADJUSTMENTS_MAX),
            "adjustments",
        )
    positioning = positioning_of(cohort, learner)
    seen = positioning.version_id if positioning is not None else None
    if seen != expected_version:
        raise PositioningConflict(changed)
    before = snapshot(positioning) if positioning is not None else None
    if positioning is None:
        positioning = Positioning(cohort_id=cohort.id, learner_id=learner.id)
        db.session.add(positioning)
    existing = _levels_by_competency(positioning)
    for competency in frame.competencies:
        row = existing.get(competency.id)
        if row is None:
            row = PositioningLevel(competency_id=competency.id)
            positioning.levels.append(row)
        row.entry_level = entry_levels[competency.id]
    positioning.adjustments = adjustments
    positioning.reviewed_by_id = actor.id
    positioning.reviewed_at = utcnow()
    _flush(changed)
    action = "positioning.amend" if before and before["reviewed"] else "positioning.review"
    record_audit_event(actor, action, positioning, before=before, after=snapshot(positioning))
    return positioning


def snapshot(positioning: Positioning) -> dict:
    """Return what the audit log keeps of a review: the entry levels, the adjustments' size."""
    return {
        "cohort_id": positioning.cohort_id,
        "learner_id": positioning.learner_id,
        "reviewed": positioning.reviewed_at is not None,
        "entry_levels": {
            str(level.competency_id): level.entry_level
            for level in positioning.levels
            if level.entry_level is not None
        },
        # The text itself stays on the positioning, which retention blanks in time.
        "adjustments_chars": len(positioning.adjustments or ""),
    }


def entry_levels_of(cohort: Cohort, *, learner: User, **kwargs: object) -> dict[int, int]:
    """Answer ``lms.learning.signals.entry_levels``: the learner's entry levels (one query)."""
    rows = db.session.execute(
        db.select(PositioningLevel.competency_id, PositioningLevel.entry_level)
        .join(Positioning, Positioning.id == PositioningLevel.positioning_id)
        .where(
            Positioning.cohort_id == cohort.id,
            Positioning.learner_id == learner.id,
            PositioningLevel.entry_level.is_not(None),
        )
    )
    return dict(rows.tuples().all())
