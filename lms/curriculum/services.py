"""Curriculum use cases: load a path definition into the database, export it back.

Services flush, never commit: the caller (a CLI command, a view) commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import tomli_w
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, exists

from lms.curriculum.definition import (
    BlockDefinition,
    CompetencyDefinition,
    CurriculumError,
    LessonDefinition,
    ModuleDefinition,
    PathDefinition,
    PathDefinitionError,
    ScaleLevel,
    definition_extensions,
    merge_module_data,
    parse_path_definition,
)
from lms.curriculum.models import (
    Competency,
    CompetencyBlock,
    Lesson,
    Module,
    ProficiencyLevel,
    TrainingPath,
)
from lms.extensions import db

__all__ = [
    "CurriculumError",
    "LoadOutcome",
    "LoadResult",
    "PathDefinitionError",
    "dump_path_definition",
    "export_path",
    "get_path",
    "load_path",
    "load_path_file",
    "path_definition",
    "shipped_path_file",
]

# Tables of the curriculum domain itself; a reference from any other table means "in use".
CURRICULUM_TABLES = frozenset(
    {"training_paths", "proficiency_levels", "competency_blocks", "competencies", "modules"}
    | {"module_prerequisites", "module_competencies", "lessons"}
)


class LoadOutcome(StrEnum):
    CREATED = "created"  # a new (code, version)
    UNCHANGED = "unchanged"  # the same definition was already loaded: nothing written
    REPLACED = "replaced"  # a changed definition of a version that nobody follows yet


@dataclass(frozen=True)
class LoadResult:
    path: TrainingPath
    outcome: LoadOutcome


def shipped_path_file() -> Path:
    """Return the file of the shipped path « Entrepreneur·e du bien-vivre »."""
    return Path(__file__).resolve().parent / "paths" / "entrepreneur-bien-vivre.toml"


def get_path(code: str, version: int | None = None) -> TrainingPath | None:
    """Return one version of a path (the latest when ``version`` is None), or None."""
    query = db.select(TrainingPath).filter_by(code=code)
    if version is not None:
        query = query.filter_by(version=version)
    path: TrainingPath | None = db.session.scalar(
        query.order_by(TrainingPath.version.desc()).limit(1)
    )
    return path


def load_path_file(file: Path) -> LoadResult:
    """Read, validate and load a path-definition file."""
    try:
        text = Path(file).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise PathDefinitionError([_("%(file)s: no such file", file=file)]) from error
    except (OSError, UnicodeDecodeError) as error:
        message = _("%(file)s: cannot read the file (%(error)s)", file=file, error=error)
        raise PathDefinitionError([message]) from error
    return load_path(parse_path_definition(text, source=str(file)))


def load_path(definition: PathDefinition) -> LoadResult:
    """Store a validated definition: create it, recognise it unchanged, or replace it if unused.

    A version that a cohort already follows is frozen: changing it needs a new version.
    """
    sha256 = definition.canonical_sha256()
    existing = get_path(definition.code, definition.version)
    if existing is None:
        return LoadResult(_create_path(definition, sha256), LoadOutcome.CREATED)
    if existing.definition_sha256 == sha256:
        return LoadResult(existing, LoadOutcome.UNCHANGED)
    users = _tables_using(existing)
    if users:
        message = _(
            "%(code)s version %(version)s is already in use (%(tables)s) and cannot change: "
            "give the changed definition a new version (version = %(next)s)",
            code=definition.code,
            version=definition.version,
            tables=", ".join(users),
            next=_next_version(definition.code),
        )
        raise PathDefinitionError([message])
    db.session.delete(existing)
    db.session.flush()  # free the (code, version) before the new rows go in
    return LoadResult(_create_path(definition, sha256), LoadOutcome.REPLACED)


def _tables_using(path: TrainingPath) -> list[str]:
    """Name the tables of other domains (cohorts, submissions …) that refer to this path version.

    Curriculum must not import the domains above it, so it asks the shared metadata which
    tables point at ``training_paths`` instead of naming them. A higher domain's table that is
    part of the definition itself (rubrics, assessments) says so with
    ``info={"path_definition": True}``: it is not a use, but rows pointing at it (learner work on
    an assessment of this path) are.
    """
    users = []
    for table in db.metadata.sorted_tables:
        if table.name in CURRICULUM_TABLES or table.info.get("path_definition"):
            continue
        if any(_refers_to_path(key, path) for key in table.foreign_keys):
            users.append(table.name)
    return users


def _refers_to_path(key: ForeignKey, path: TrainingPath) -> bool:
    """Tell whether a foreign key holds a reference to the path or to its definition rows."""
    target = key.column.table
    if target.name == "training_paths":
        return bool(db.session.scalar(db.select(exists().where(key.parent == path.id))))
    if target.info.get("path_definition") and "path_id" in target.c:
        condition = exists().where(key.parent == key.column, target.c.path_id == path.id)
        return bool(db.session.scalar(db.select(condition)))
    return False


def _next_version(code: str) -> int:
    latest = get_path(code)
    return latest.version + 1 if latest else 1


def _create_path(definition: PathDefinition, sha256: str) -> TrainingPath:
    """Write the path, its scale, blocks, competencies, modules and lessons, then let each
    definition extension write its rows (rubrics, assessments …)."""
    path = TrainingPath(
        code=definition.code,
        version=definition.version,
        title=definition.title,
        description=definition.description,
        certifier=definition.certifier,
        rating_rule=definition.rating_rule,
        definition_sha256=sha256,
    )
    path.proficiency_levels = [
        ProficiencyLevel(value=level.value, label=level.label, description=level.description or "")
        for level in definition.scale
    ]
    competencies = _create_blocks(path, definition)
    modules: dict[str, Module] = {}
    for position, module in enumerate(definition.modules, start=1):
        modules[module.code] = _create_module(path, module, position, competencies)
        modules[module.code].prerequisites = [modules[code] for code in module.prerequisites]
    db.session.add(path)
    db.session.flush()
    for extension in definition_extensions():
        extension.load(path, definition)
    db.session.flush()
    return path


def _create_blocks(path: TrainingPath, definition: PathDefinition) -> dict[str, Competency]:
    """Create the blocks with their competencies; return the competencies by code."""
    competencies: dict[str, Competency] = {}
    for position, block in enumerate(definition.blocks, start=1):
        row = CompetencyBlock(
            path=path,
            code=block.code,
            title=block.title,
            evaluation=block.evaluation,
            position=position,
        )
        members = [c for c in definition.competencies if c.block == block.code]
        for index, competency in enumerate(members, start=1):
            competencies[competency.code] = Competency(
                block=row,
                code=competency.code,
                title=competency.title,
                description=competency.description,
                required_level=competency.required_level,
                position=index,
            )
    return competencies


def _create_module(
    path: TrainingPath, module: ModuleDefinition, position: int, competencies: dict[str, Competency]
) -> Module:
    row = Module(
        path=path,
        code=module.code,
        title=module.title,
        summary=module.summary,
        position=position,
        hours=module.hours,
        mode=module.mode,
        competencies=[competencies[code] for code in module.competencies],
    )
    row.lessons = [
        Lesson(
            position=index,
            title=lesson.title,
            kind=lesson.kind,
            url=lesson.url,
            is_required=lesson.required,
            body=lesson.body,
        )
        for index, lesson in enumerate(module.lessons, start=1)
    ]
    return row


def export_path(path: TrainingPath) -> str:
    """Return the path as definition-file text that loads back to the same definition."""
    return dump_path_definition(path_definition(path))


def path_definition(path: TrainingPath) -> PathDefinition:
    """Rebuild the definition of a stored path, lists in their canonical order."""
    competencies = sorted(path.competencies, key=_competency_rank)
    extension_data = [extension.export(path) for extension in definition_extensions()]
    extra = merge_module_data(extension_data)
    return PathDefinition(
        code=path.code,
        version=path.version,
        title=path.title,
        description=path.description,
        certifier=path.certifier,
        rating_rule=path.rating_rule,
        scale=tuple(
            ScaleLevel(level.value, level.label, level.description or None)
            for level in path.proficiency_levels
        ),
        blocks=tuple(
            BlockDefinition(block.code, block.title, block.evaluation) for block in path.blocks
        ),
        competencies=tuple(
            CompetencyDefinition(c.code, c.block.code, c.title, c.description, c.required_level)
            for c in competencies
        ),
        modules=tuple(
            _module_definition(module, extra.get(module.code, {})) for module in path.modules
        ),
        sections={name: value for data in extension_data for name, value in data.sections.items()},
    )


def _competency_rank(competency: Competency) -> tuple[int, int]:
    return competency.block.position, competency.position


def _module_definition(module: Module, extra: dict[str, Any]) -> ModuleDefinition:
    return ModuleDefinition(
        code=module.code,
        title=module.title,
        summary=module.summary,
        hours=module.hours,
        mode=module.mode,
        prerequisites=tuple(
            need.code for need in sorted(module.prerequisites, key=lambda m: m.position)
        ),
        competencies=tuple(c.code for c in sorted(module.competencies, key=_competency_rank)),
        lessons=tuple(
            LessonDefinition(lesson.title, lesson.kind, lesson.url, lesson.is_required, lesson.body)
            for lesson in module.lessons
        ),
        extra=extra,
    )


def dump_path_definition(definition: PathDefinition) -> str:
    """Write the definition as TOML in the file's layout; it parses back to the same definition."""
    document = definition.to_document()
    header = f"# {definition.code} version {definition.version}\n\n"
    chunks = [_dump_table("[path]", document.pop("path"))]
    for name, entries in document.items():
        if isinstance(entries, dict):  # an extension's top-level table, e.g. [jury]
            chunks.append(_dump_table(f"[{name}]", entries))
        else:
            chunks.extend(_dump_table(f"[[{name}]]", entry) for entry in entries)
    return header + "\n".join(chunks)


def _dump_table(header: str, values: dict[str, Any], indent: str = "") -> str:
    """Write one table: its keys in order, then its sub-tables, then its arrays of tables."""
    lines = [indent + header]
    nested, tables = [], []
    for key, value in values.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            nested.append((key, value))
        elif isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{indent}{key} = {_dump_value(value)}")
    text = "\n".join(lines) + "\n"
    name = header.strip("[]")
    for key, table in tables:  # e.g. an assessment's [modules.assessments.marking]
        text += "\n" + _dump_table(f"[{name}.{key}]", table, indent)
    for key, entries in nested:
        for entry in entries:
            text += "\n" + _dump_table(f"[[{name}.{key}]]", entry, indent + "  ")
    return text


def _dump_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_dump_value(item) for item in value) + "]"
    # tomli_w escapes strings correctly (multi-line ones as """…"""), ints and booleans.
    return tomli_w.dumps({"v": value}, multiline_strings=True)[len("v = ") : -1]
