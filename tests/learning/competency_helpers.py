"""Build competency blocks and the proficiency scale on a path, and answer the ratings signal."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from lms.curriculum.models import Competency, TrainingPath
from lms.extensions import db
from lms.learning.ratings import RatingView
from tests.factories import CompetencyBlockFactory, CompetencyFactory, ProficiencyLevelFactory

SCALE = (
    (0, "Non évalué"),
    (1, "Insuffisant"),
    (2, "En cours d'acquisition"),
    (3, "Acquis"),
    (4, "Maîtrisé"),
)
# block code -> (competency code, required level) in order; titles are derived from the codes.
BLOCKS = {
    "BC1": (("C1.1", 3), ("C1.2", 2), ("C1.3", 3)),
    "BC2": (("C2.1", 3), ("C2.2", 4)),
}
WHEN = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def add_competencies(
    path: TrainingPath, blocks: Mapping[str, tuple] = BLOCKS, scale: tuple = SCALE
) -> dict[str, Competency]:
    """Give the path its scale and blocks of competencies; return the competencies by code."""
    for value, label in scale:
        ProficiencyLevelFactory(path=path, value=value, label=label)
    competencies = {}
    for block_position, (block_code, lines) in enumerate(blocks.items(), start=1):
        block = CompetencyBlockFactory(
            path=path, code=block_code, title=f"Bloc {block_code}", position=block_position
        )
        for position, (code, required) in enumerate(lines, start=1):
            competencies[code] = CompetencyFactory(
                block=block,
                code=code,
                title=f"Compétence {code}",
                required_level=required,
                position=position,
            )
    db.session.commit()
    return competencies


def rating(level: int, at: datetime | None = WHEN, *evidence: str) -> RatingView:
    """Return a rating at ``level``, made at ``at``, with the evidence given."""
    return RatingView(level=level, rated_at=at, evidence=tuple(evidence))


def ratings_receiver(
    competencies: Mapping[str, Competency],
    levels: Mapping[str, RatingView | int],
    only: Callable[[object], bool] = lambda learner: True,
    asked: list | None = None,
):
    """Return a receiver rating every asked learner (those ``only`` keeps) with ``levels``.

    ``levels`` maps a competency code to a ``RatingView`` or a bare level (rated at ``WHEN``);
    ``asked``, when given, collects the number of learners of every call.
    """
    views = {
        code: view if isinstance(view, RatingView) else rating(view)
        for code, view in levels.items()
    }

    def receiver(path, *, learners, **kwargs):
        if asked is not None:
            asked.append(len(learners))
        return {
            (learner.id, competencies[code].id): view
            for learner in learners
            if only(learner)
            for code, view in views.items()
        }

    return receiver
