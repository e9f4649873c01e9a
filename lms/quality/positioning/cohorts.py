"""A cohort's positionings and its progression per competency, for those who follow it.

``cohort_positionings``: each learner with their positioning's status (not started,
self-assessed, reviewed) and best entry quiz result. ``progression``: for each competency of
the path, the entry levels retained (counted per level and averaged in SQL), the learners'
current levels (``lms.learning.competencies``: at the cohort's end, the ex post) and how many
reach the required level. Both cost a constant number of queries whatever the cohort's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func

from lms.accounts.models import User
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.cohorts.queries import cohort_learners
from lms.extensions import db
from lms.learning.competencies import cohort_competency_matrix
from lms.quality.positioning.frame import Frame, FrameCompetency
from lms.quality.positioning.models import Positioning, PositioningLevel
from lms.quality.positioning.quiz import EntryQuiz, QuizResult, best_results


class Status(StrEnum):
    NOT_STARTED = "not-started"
    SELF_ASSESSED = "self-assessed"
    REVIEWED = "reviewed"


@dataclass(frozen=True)
class LearnerRow:
    learner: User
    status: Status
    self_assessed_at: datetime | None
    reviewed_at: datetime | None
    quiz: QuizResult | None


def status_of(positioning: Positioning | None) -> Status:
    if positioning is None:
        return Status.NOT_STARTED
    if positioning.reviewed_at is not None:
        return Status.REVIEWED
    if positioning.self_assessed_at is not None:
        return Status.SELF_ASSESSED
    return Status.NOT_STARTED


def cohort_positionings(cohort: Cohort, quiz: EntryQuiz | None) -> list[LearnerRow]:
    """Return every learner of the cohort with their positioning's status (three queries)."""
    learners = cohort_learners(cohort)
    positionings = {
        positioning.learner_id: positioning
        for positioning in db.session.scalars(db.select(Positioning).filter_by(cohort_id=cohort.id))
    }
    results = best_results(quiz, [learner.id for learner in learners])
    rows = []
    for learner in learners:
        positioning = positionings.get(learner.id)
        rows.append(
            LearnerRow(
                learner=learner,
                status=status_of(positioning),
                self_assessed_at=positioning.self_assessed_at if positioning else None,
                reviewed_at=positioning.reviewed_at if positioning else None,
                quiz=results.get(learner.id),
            )
        )
    return rows


@dataclass(frozen=True)
class Levels:
    """How many learners stand at each level of the scale, and their mean."""

    counts: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        total = self.total
        if not total:
            return None
        return sum(level * count for level, count in self.counts.items()) / total


@dataclass(frozen=True)
class CompetencyProgression:
    competency: FrameCompetency
    entry: Levels
    current: Levels
    reaching: int  # learners whose current level reaches the required one


@dataclass(frozen=True)
class Progression:
    learners: int
    competencies: tuple[CompetencyProgression, ...]


def entry_level_counts(cohort: Cohort) -> dict[int, dict[int, int]]:
    """Return, per competency id, how many current learners have each entry level (one query)."""
    rows = db.session.execute(
        db.select(PositioningLevel.competency_id, PositioningLevel.entry_level, func.count())
        .join(Positioning, Positioning.id == PositioningLevel.positioning_id)
        .join(
            Membership,
            (Membership.cohort_id == Positioning.cohort_id)
            & (Membership.user_id == Positioning.learner_id)
            & (Membership.role == MembershipRole.LEARNER),
        )
        .where(Positioning.cohort_id == cohort.id, PositioningLevel.entry_level.is_not(None))
        .group_by(PositioningLevel.competency_id, PositioningLevel.entry_level)
    )
    counts: dict[int, dict[int, int]] = {}
    for competency_id, level, count in rows:
        counts.setdefault(competency_id, {})[level] = count
    return counts


def progression(cohort: Cohort, frame: Frame) -> Progression:
    """Return entry against current levels per competency for the cohort (constant queries)."""
    entry = entry_level_counts(cohort)
    matrix = cohort_competency_matrix(cohort)
    current: dict[int, dict[int, int]] = {}
    reaching: dict[int, int] = {}
    for profile in matrix.profiles.values():
        for line in profile.competencies:
            if line.level is None:
                continue
            by_level = current.setdefault(line.id, {})
            by_level[line.level] = by_level.get(line.level, 0) + 1
            if line.level >= line.required_level:
                reaching[line.id] = reaching.get(line.id, 0) + 1
    return Progression(
        learners=len(matrix.learners),
        competencies=tuple(
            CompetencyProgression(
                competency=competency,
                entry=Levels(entry.get(competency.id, {})),
                current=Levels(current.get(competency.id, {})),
                reaching=reaching.get(competency.id, 0),
            )
            for competency in frame.competencies
        ),
    )
