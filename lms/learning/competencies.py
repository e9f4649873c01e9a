"""The competency profile: per block, each competency's current level against its required level.

``learning`` shows the profile but does not rate: the ratings come from the ``competency_ratings``
signal (``lms.learning.signals``), which the assessments domain answers. With no receiver, every
competency reads "no evidence yet". A competency is:

- **not evidenced** when no rating says anything about it (no rating, or a rating at level 0,
  the scale's "not assessed"): the learner has not been assessed on it yet;
- **insufficient** when rated below its required level;
- **attained** when rated at or above its required level.

A profile costs a constant number of queries whatever the size of the path or the cohort: the
blocks and competencies (one), the scale (one), the cohort's learners for the matrix (one), and
one signal for the ratings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.cohorts.queries import cohort_learners
from lms.curriculum.models import Competency, CompetencyBlock, ProficiencyLevel, TrainingPath
from lms.extensions import db
from lms.learning.ratings import EvidenceItem, RatingKey, RatingView, merge_ratings
from lms.learning.signals import competency_ratings, entry_levels


class CompetencyStatus(StrEnum):
    """Where a learner stands in a competency (see the module docstring)."""

    NOT_EVIDENCED = "not-evidenced"
    INSUFFICIENT = "insufficient"
    ATTAINED = "attained"


@dataclass(frozen=True)
class ScaleStep:
    """One step of the path's proficiency scale."""

    value: int
    label: str


@dataclass(frozen=True)
class CompetencyLine:
    """A competency of the profile: what it requires and the learner's current level, if any."""

    id: int
    code: str
    title: str
    description: str
    required_level: int
    level: int | None = None  # None: no evidence yet
    rated_at: datetime | None = None
    evidence: tuple[EvidenceItem, ...] = ()

    @property
    def status(self) -> CompetencyStatus:
        if self.level is None:
            return CompetencyStatus.NOT_EVIDENCED
        if self.level < self.required_level:
            return CompetencyStatus.INSUFFICIENT
        return CompetencyStatus.ATTAINED


@dataclass(frozen=True)
class BlockProfile:
    """A block of competencies in the profile, with its competencies in the path's order."""

    id: int
    code: str
    title: str
    evaluation: str
    competencies: tuple[CompetencyLine, ...]

    @property
    def attained(self) -> int:
        return sum(1 for line in self.competencies if line.status == CompetencyStatus.ATTAINED)

    @property
    def total(self) -> int:
        return len(self.competencies)


@dataclass(frozen=True)
class CompetencyProfile:
    """A learner's profile: the blocks in the path's order and the scale to read levels on."""

    blocks: tuple[BlockProfile, ...]
    scale: tuple[ScaleStep, ...]

    @property
    def competencies(self) -> tuple[CompetencyLine, ...]:
        return tuple(line for block in self.blocks for line in block.competencies)

    @property
    def attained(self) -> int:
        return sum(block.attained for block in self.blocks)

    @property
    def total(self) -> int:
        return sum(block.total for block in self.blocks)

    @property
    def top(self) -> int:
        """Return the highest level to draw: the scale's top, or the highest level in use."""
        used = [line.required_level for line in self.competencies]
        used += [line.level for line in self.competencies if line.level is not None]
        return max([step.value for step in self.scale] or used or [1])

    def label(self, value: int) -> str:
        """Return the scale's label of a level ("3" alone when the scale does not name it)."""
        return next((step.label for step in self.scale if step.value == value), str(value))


@dataclass(frozen=True)
class CompetencyMatrix:
    """Every learner of a cohort with their profile (for trainers), in the roster's order."""

    learners: tuple[User, ...]
    profiles: Mapping[int, CompetencyProfile]  # by user id


@dataclass(frozen=True)
class _Structure:
    """A path's blocks and competencies (rows of plain values) and its scale, loaded once."""

    rows: list
    scale: tuple[ScaleStep, ...]


def _load_structure(path_id: int) -> _Structure:
    """Load the path's blocks with their competencies, in order, and its scale (two queries)."""
    rows = db.session.execute(
        db.select(
            CompetencyBlock.id.label("block_id"),
            CompetencyBlock.code.label("block_code"),
            CompetencyBlock.title.label("block_title"),
            CompetencyBlock.evaluation,
            Competency.id,
            Competency.code,
            Competency.title,
            Competency.description,
            Competency.required_level,
        )
        .outerjoin(Competency, Competency.block_id == CompetencyBlock.id)
        .where(CompetencyBlock.path_id == path_id)
        .order_by(CompetencyBlock.position, Competency.position)
    ).all()
    scale = db.session.execute(
        db.select(ProficiencyLevel.value, ProficiencyLevel.label)
        .filter_by(path_id=path_id)
        .order_by(ProficiencyLevel.value)
    )
    return _Structure(rows, tuple(ScaleStep(value, label) for value, label in scale))


def _ask_ratings(
    path: TrainingPath, learners: Sequence[User], audience: str | None
) -> dict[RatingKey, RatingView]:
    """Ask every ``competency_ratings`` receiver once for these learners, and merge the answers."""
    if not learners:
        return {}
    return merge_ratings(competency_ratings.send(path, learners=list(learners), audience=audience))


def _line(row, rating: RatingView | None) -> CompetencyLine:
    """Describe one competency with its rating; a rating that says nothing is no evidence."""
    if rating is None or not rating.is_evidence:
        rating = None
    return CompetencyLine(
        id=row.id,
        code=row.code,
        title=row.title,
        description=row.description,
        required_level=row.required_level,
        level=rating.level if rating else None,
        rated_at=rating.rated_at if rating else None,
        evidence=rating.evidence if rating else (),
    )


def _build_profile(
    structure: _Structure, ratings: Mapping[RatingKey, RatingView], user_id: int
) -> CompetencyProfile:
    """Group the competencies by block, each with the learner's rating (no query)."""
    blocks: dict[int, tuple] = {}
    for row in structure.rows:
        _block, lines = blocks.setdefault(row.block_id, (row, []))
        if row.id is not None:  # a block without any competency yet
            lines.append(_line(row, ratings.get((user_id, row.id))))
    return CompetencyProfile(
        blocks=tuple(
            BlockProfile(row.block_id, row.block_code, row.block_title, row.evaluation, tuple(ls))
            for row, ls in blocks.values()
        ),
        scale=structure.scale,
    )


def competency_profile(
    learner: User, cohort: Cohort, audience: str | None = None
) -> CompetencyProfile:
    """Return the learner's competency profile on the path of their cohort.

    ``audience`` says who reads it, so that evidence links lead to pages that reader may open:
    ``"learner"`` (the learner themself), ``"staff"`` (the cohort's trainers, administrators), or
    None (no links: e.g. outside a request).
    """
    structure = _load_structure(cohort.path_id)
    ratings = _ask_ratings(cohort.path, [learner], audience)
    return _build_profile(structure, ratings, learner.id)


def cohort_competency_matrix(cohort: Cohort, audience: str | None = None) -> CompetencyMatrix:
    """Return the profile of every learner of the cohort, asking the ratings once for all."""
    structure = _load_structure(cohort.path_id)
    learners = cohort_learners(cohort)
    ratings = _ask_ratings(cohort.path, learners, audience)
    return CompetencyMatrix(
        learners=tuple(learners),
        profiles={user.id: _build_profile(structure, ratings, user.id) for user in learners},
    )


def entry_levels_of(learner: User, cohort: Cohort) -> dict[int, int]:
    """Return the learner's entry level per competency id in the cohort (none: left out).

    Asked through ``lms.learning.signals.entry_levels`` (the quality domain answers); with no
    receiver, there is none.
    """
    levels: dict[int, int] = {}
    for _receiver, answer in entry_levels.send(cohort, learner=learner):
        levels.update(answer or {})
    return levels
