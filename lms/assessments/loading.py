"""The assessments' part of the path-definition file: [[rubrics]] and [[modules.assessments]].

Curriculum reads the rest of the file and calls this registered ``DefinitionExtension`` (see
``lms.curriculum.definition.extensions`` for why a registration rather than signals). Data
travels in canonical form: plain TOML values, every optional key with its default filled in
(absent ``max_attempts``, ``due_days``, ``time_limit_minutes`` stay absent), lists in file order.
``read`` and ``export`` return the same form, so an exported path loads back "unchanged".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_babel import gettext as _

from lms.assessments.models import Assessment, AssessmentKind, Criterion, Rubric, RubricLevel
from lms.assessments.registry import ASSESSMENT_TYPES, type_of
from lms.curriculum.definition import (
    DefinitionContext,
    DefinitionExtension,
    ExtensionData,
    PathDefinition,
)
from lms.curriculum.definition.reading import (
    Entries,
    Field,
    Problems,
    index_entries,
    read_table,
    read_tables,
    unknown_competency,
)
from lms.curriculum.models import TrainingPath
from lms.extensions import db

MIN_LEVELS, MAX_LEVELS = 3, 5

LEVEL_FIELDS = {
    "title": Field("line", max_length=80),
    "descriptor": Field("line"),
    "points": Field("int"),
    "proficiency": Field("int"),
}
CRITERION_FIELDS = {
    "title": Field("line", max_length=200),
    "competency": Field("line", max_length=20),
    "description": Field("text", required=False, default=""),
    "levels": Field("tables", fields=LEVEL_FIELDS),
}
RUBRIC_FIELDS = {
    "code": Field("line", max_length=20),
    "title": Field("line", max_length=200),
    "criteria": Field("tables", fields=CRITERION_FIELDS),
}
COMMON_FIELDS = {
    "code": Field("line", max_length=20),
    "kind": Field("choice", choices=AssessmentKind),
    "title": Field("line", max_length=200),
    "instructions": Field("text", required=False, default=""),
    "required": Field("bool", required=False, default=True),
    "weight": Field("int", required=False, default=1),
    "pass_mark": Field("int", required=False, default=50),
    "max_attempts": Field("int", required=False),
    "due_days": Field("int", required=False),
}
# Model column of each common key whose name differs in the file.
COLUMNS = {"required": "is_required", "pass_mark": "pass_mark_percent"}


def canonical(value: Any) -> Any:
    """Turn read values into plain TOML values: entries into tables, enums and tuples too."""
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items()}
    if isinstance(value, list) and all(_is_entry(item) for item in value):
        return [canonical(values) for _where, values in value]
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    if isinstance(value, StrEnum):
        return value.value
    return value


def _is_entry(item: Any) -> bool:
    return isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], dict)


class AssessmentsDefinition(DefinitionExtension):
    """Read, load and export the rubrics and the modules' assessments."""

    name = "assessments"
    sections = ("rubrics",)
    module_keys = ("assessments",)

    def read(
        self, document: dict[str, Any], context: DefinitionContext, problems: Problems
    ) -> ExtensionData:
        """Validate rubrics then assessments; return them in canonical form."""
        rubric_entries = _read_rubrics(document, context, problems)
        rubrics = {values["code"]: values for _where, values in rubric_entries if "code" in values}
        modules: dict[str, dict[str, Any]] = {}
        every_assessment: Entries = []
        for module in context.modules:
            if "assessments" not in module.table:
                continue
            where = module.where + ".assessments"
            entries = _read_assessments(module.table["assessments"], where, rubrics, problems)
            every_assessment.extend(entries)
            if module.code is not None:
                modules[module.code] = {"assessments": [values for _where, values in entries]}
        index_entries(every_assessment, "code", problems)  # unique in the whole path
        sections = {"rubrics": list(rubrics.values())} if rubrics else {}
        return ExtensionData(sections=sections, modules=modules)

    def load(self, path: TrainingPath, definition: PathDefinition) -> None:
        """Write the rubrics, then each module's assessments (flush only)."""
        competencies = {competency.code: competency for competency in path.competencies}
        rubrics = {
            values["code"]: _rubric_row(path, values, competencies)
            for values in definition.sections.get("rubrics", [])
        }
        for module_definition, module in zip(definition.modules, path.modules, strict=True):
            for position, values in enumerate(module_definition.extra.get("assessments", [])):
                _assessment_row(module, values, position + 1, rubrics)

    def export(self, path: TrainingPath) -> ExtensionData:
        """Return the stored rubrics and assessments in the canonical form ``read`` gives."""
        rubrics = [_rubric_definition(rubric) for rubric in path.rubrics]
        modules = {
            module.code: {"assessments": [_assessment_definition(a) for a in module.assessments]}
            for module in path.modules
            if module.assessments
        }
        return ExtensionData(sections={"rubrics": rubrics} if rubrics else {}, modules=modules)


# --- Reading ---


def _read_rubrics(
    document: dict[str, Any], context: DefinitionContext, problems: Problems
) -> Entries:
    """Read [[rubrics]]: unique codes, known competencies, 3–5 levels in increasing points."""
    if "rubrics" not in document:
        return []
    entries = read_tables(document["rubrics"], RUBRIC_FIELDS, "rubrics", problems) or []
    unique = index_entries(entries, "code", problems)
    for index, (where, values) in enumerate(entries):
        for criterion in values.get("criteria", []):
            _check_criterion(criterion, context, problems)
        entries[index] = (where, canonical(values))
    return [entries[index] for index in unique.values()]


def _check_criterion(
    entry: tuple[str, dict[str, Any]], context: DefinitionContext, problems: Problems
) -> None:
    """A criterion rates a known competency with 3–5 levels, ordered as the scale."""
    where, values = entry
    competency = values.get("competency")
    if competency is not None and competency not in context.competencies:
        problems.add(where + ".competency", unknown_competency(competency))
    levels = values.get("levels")
    if levels is None:
        return
    if not MIN_LEVELS <= len(levels) <= MAX_LEVELS:
        problems.add(
            where + ".levels",
            _("needs 3 to 5 levels (found %(n)d)", n=len(levels)),
        )
    previous: dict[str, Any] = {}
    for level_where, level in levels:
        _check_level(level, previous, level_where, context, problems)
        previous = level


def _check_level(
    level: dict[str, Any],
    previous: dict[str, Any],
    where: str,
    context: DefinitionContext,
    problems: Problems,
) -> None:
    """Points grow strictly from level to level; proficiency is on the scale and never drops."""
    points, proficiency = level.get("points"), level.get("proficiency")
    if points is not None and points < 0:
        problems.add(where + ".points", _("must be 0 or more"))
    elif points is not None and previous.get("points") is not None and points <= previous["points"]:
        problems.add(
            where + ".points",
            _(
                "must be more than the previous level's points (%(points)d): "
                "levels go from the lowest to the highest",
                points=previous["points"],
            ),
        )
    if proficiency is None:
        return
    if proficiency not in context.scale:
        problems.add(
            where + ".proficiency",
            _("must be a level of the scale (not %(level)d)", level=proficiency),
        )
    elif previous.get("proficiency") is not None and proficiency < previous["proficiency"]:
        problems.add(
            where + ".proficiency",
            _(
                "must not be below the previous level's proficiency (%(level)d)",
                level=previous["proficiency"],
            ),
        )


def _read_assessments(raw: Any, where: str, rubrics: dict[str, Any], problems: Problems) -> Entries:
    """Read a module's assessments, each with the keys of its kind; return canonical entries."""
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        problems.add(where, _("must be an array of tables"))
        return []
    entries = []
    for index, item in enumerate(raw):
        code = item.get("code")
        label = f"{where}[{index}]" + (f" ({code})" if isinstance(code, str) else "")
        entries.append((label, _read_assessment(item, label, rubrics, problems)))
    return entries


def _read_assessment(
    raw: dict[str, Any], where: str, rubrics: dict[str, Any], problems: Problems
) -> dict[str, Any]:
    """Read one assessment: common keys, then its kind's keys and checks (the registry's)."""
    kind_type = ASSESSMENT_TYPES.get(raw.get("kind"))  # type: ignore[arg-type]
    fields = COMMON_FIELDS | (kind_type.fields if kind_type else {})
    if kind_type is None:  # the kind's own problem is reported; its keys are not checked
        fields = fields | {key: Field("raw", required=False) for key in _every_kind_key()}

    def elsewhere(key: str) -> str | None:
        return _key_of_other_kinds(key, kind_type.kind) if kind_type else None

    values = canonical(read_table(raw, fields, where, problems, unknown=elsewhere))
    if kind_type is None:
        return values
    problems.extend(kind_type.validate_definition(values, where, rubrics))
    _check_common(values, where, problems)
    return {
        key: value
        for key, value in values.items()
        if key in COMMON_FIELDS or key in kind_type.fields
    }


def _every_kind_key() -> set[str]:
    return {key for kind_type in ASSESSMENT_TYPES.values() for key in kind_type.fields}


def _key_of_other_kinds(key: str, kind: AssessmentKind) -> str | None:
    """Explain a key that belongs to other kinds (a rubric on a quiz …), or None."""
    kinds = [k for k, kind_type in ASSESSMENT_TYPES.items() if key in kind_type.fields]
    if not kinds:
        return None
    return _(
        "%(key)s does not apply to a %(kind)s (only to: %(kinds)s)",
        key=key,
        kind=kind.value,
        kinds=", ".join(kinds),
    )


def _check_common(values: dict[str, Any], where: str, problems: Problems) -> None:
    """Weight ≥ 0, attempts ≥ 1, due days ≥ 0, a pass mark of 0–100 % (100 % is reachable)."""
    if values.get("weight", 0) < 0:
        problems.add(where + ".weight", _("must be 0 or more"))
    if values.get("max_attempts", 1) < 1:
        problems.add(where + ".max_attempts", _("must be 1 or more"))
    if values.get("due_days", 0) < 0:
        problems.add(where + ".due_days", _("must be 0 or more"))
    pass_mark = values.get("pass_mark", 0)
    if not 0 <= pass_mark <= 100:
        problems.add(
            where + ".pass_mark",
            _("must be a percentage from 0 to 100 (not %(value)d)", value=pass_mark),
        )


# --- Loading and exporting ---


def _rubric_row(path: TrainingPath, values: dict[str, Any], competencies: dict) -> Rubric:
    rubric = Rubric(path=path, code=values["code"], title=values["title"])
    db.session.add(rubric)  # assigning the path alone does not cascade into the session
    rubric.criteria = [
        Criterion(
            position=position,
            title=criterion["title"],
            description=criterion["description"],
            competency=competencies[criterion["competency"]],
            levels=[
                RubricLevel(position=number, **level)
                for number, level in enumerate(criterion["levels"], start=1)
            ],
        )
        for position, criterion in enumerate(values["criteria"], start=1)
    ]
    return rubric


def _assessment_row(module, values: dict[str, Any], position: int, rubrics: dict) -> Assessment:
    assessment = Assessment(module=module, position=position)
    db.session.add(assessment)
    for key in COMMON_FIELDS:
        setattr(assessment, COLUMNS.get(key, key), values.get(key))
    assessment.kind = AssessmentKind(values["kind"])
    ASSESSMENT_TYPES[assessment.kind].load(values, assessment, rubrics)
    return assessment


def _rubric_definition(rubric: Rubric) -> dict[str, Any]:
    return {
        "code": rubric.code,
        "title": rubric.title,
        "criteria": [
            {
                "title": criterion.title,
                "competency": criterion.competency.code,
                "description": criterion.description,
                "levels": [
                    {
                        "title": level.title,
                        "descriptor": level.descriptor,
                        "points": level.points,
                        "proficiency": level.proficiency,
                    }
                    for level in criterion.levels
                ],
            }
            for criterion in rubric.criteria
        ],
    }


def _assessment_definition(assessment: Assessment) -> dict[str, Any]:
    common = {key: getattr(assessment, COLUMNS.get(key, key)) for key in COMMON_FIELDS}
    common["kind"] = assessment.kind.value
    common = {key: value for key, value in common.items() if value is not None}
    return {**common, **type_of(assessment).export(assessment)}
