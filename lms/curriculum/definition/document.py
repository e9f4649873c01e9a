"""A validated path definition as frozen dataclasses, and the errors of the curriculum domain."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from lms.core.transactions import DomainError
from lms.curriculum.models import LessonKind, ModuleMode, RatingRule

# The keys of the [path] table, in file order.
PATH_KEYS = ("code", "version", "title", "description", "certifier", "rating_rule")


class CurriculumError(DomainError):
    """A curriculum operation was refused; the message says why."""


class PathDefinitionError(CurriculumError):
    """A path definition was refused; ``problems`` lists every problem found, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, order=True)
class ScaleLevel:
    value: int
    label: str
    # What the level means in practice, for self-assessment (None: not described).
    description: str | None = None


@dataclass(frozen=True)
class BlockDefinition:
    code: str
    title: str
    evaluation: str = ""


@dataclass(frozen=True)
class CompetencyDefinition:
    code: str
    block: str
    title: str
    description: str
    required_level: int


@dataclass(frozen=True)
class LessonDefinition:
    title: str
    kind: LessonKind = LessonKind.PAGE
    url: str | None = None
    required: bool = True
    body: str = ""


@dataclass(frozen=True)
class ModuleDefinition:
    """A module; ``extra`` holds the keys read by definition extensions (e.g. ``assessments``),
    as plain TOML values in canonical form. Treat it as read-only."""

    code: str
    title: str
    summary: str
    hours: int
    mode: ModuleMode
    prerequisites: tuple[str, ...]
    competencies: tuple[str, ...]
    lessons: tuple[LessonDefinition, ...]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PathDefinition:
    """One version of a training path, as declared in its file (field order = file order).

    Lists are kept in a canonical order, the one the database gives back: the scale by value,
    competencies grouped by block, a module's prerequisites and competencies in declared order.
    ``sections`` holds the top-level arrays read by definition extensions (e.g. ``rubrics``),
    as plain TOML values in canonical form; treat it as read-only.
    """

    code: str
    version: int
    title: str
    description: str
    certifier: str
    rating_rule: RatingRule
    scale: tuple[ScaleLevel, ...]
    blocks: tuple[BlockDefinition, ...]
    competencies: tuple[CompetencyDefinition, ...]
    modules: tuple[ModuleDefinition, ...]
    sections: dict[str, Any] = field(default_factory=dict)

    def to_document(self) -> dict[str, Any]:
        """Return the definition as the plain TOML document (same sections and key order).

        Extension sections come before ``modules``, whose entries refer to them.
        """
        plain = _plain(dataclasses.asdict(self))
        path = {key: plain.pop(key) for key in PATH_KEYS}
        sections, modules = plain.pop("sections"), plain.pop("modules")
        for module in modules:
            module.update(module.pop("extra"))
        return {"path": path, **plain, **sections, "modules": modules}

    def canonical_sha256(self) -> str:
        """Return the SHA-256 of the definition's canonical JSON (same content, same hash)."""
        canonical = json.dumps(
            self.to_document(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def _plain(value: Any) -> Any:
    """Turn enums, tuples and dataclass dicts into TOML/JSON values, dropping absent ones."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, StrEnum):
        return value.value
    return value
