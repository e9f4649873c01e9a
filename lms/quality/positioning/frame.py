"""What a positioning is made of: the path's competencies by block, and its scale described.

Loaded once per page in two queries, as plain values the forms and templates read.
"""

from __future__ import annotations

from dataclasses import dataclass

from lms.curriculum.models import Competency, CompetencyBlock, ProficiencyLevel
from lms.extensions import db


@dataclass(frozen=True)
class Step:
    """One level of the path's scale, with what it means (its descriptor, maybe empty)."""

    value: int
    label: str
    description: str = ""


@dataclass(frozen=True)
class FrameCompetency:
    id: int
    code: str
    title: str
    description: str
    required_level: int


@dataclass(frozen=True)
class FrameBlock:
    code: str
    title: str
    competencies: tuple[FrameCompetency, ...]


@dataclass(frozen=True)
class Frame:
    """The path's blocks (with their competencies, in order) and its scale."""

    blocks: tuple[FrameBlock, ...]
    scale: tuple[Step, ...]

    @property
    def competencies(self) -> tuple[FrameCompetency, ...]:
        return tuple(competency for block in self.blocks for competency in block.competencies)

    @property
    def values(self) -> frozenset[int]:
        return frozenset(step.value for step in self.scale)

    @property
    def descriptions(self) -> dict[int, str]:
        return {step.value: step.description for step in self.scale}

    def label(self, value: int | None) -> str:
        """Return "3 — Acquis" for a level, "—" for none."""
        if value is None:
            return "—"
        label = next((step.label for step in self.scale if step.value == value), "")
        return f"{value} — {label}" if label else str(value)


def frame_of(path_id: int) -> Frame:
    """Return the path's blocks, competencies and scale (two queries)."""
    rows = db.session.execute(
        db.select(
            CompetencyBlock.code.label("block_code"),
            CompetencyBlock.title.label("block_title"),
            Competency.id,
            Competency.code,
            Competency.title,
            Competency.description,
            Competency.required_level,
        )
        .join(Competency, Competency.block_id == CompetencyBlock.id)
        .where(CompetencyBlock.path_id == path_id)
        .order_by(CompetencyBlock.position, Competency.position)
    ).all()
    blocks: dict[str, tuple[str, list[FrameCompetency]]] = {}
    for row in rows:
        _title, items = blocks.setdefault(row.block_code, (row.block_title, []))
        items.append(
            FrameCompetency(row.id, row.code, row.title, row.description, row.required_level)
        )
    scale = db.session.execute(
        db.select(ProficiencyLevel.value, ProficiencyLevel.label, ProficiencyLevel.description)
        .filter_by(path_id=path_id)
        .order_by(ProficiencyLevel.value)
    )
    return Frame(
        blocks=tuple(
            FrameBlock(code, title, tuple(items)) for code, (title, items) in blocks.items()
        ),
        scale=tuple(Step(value, label, description or "") for value, label, description in scale),
    )
