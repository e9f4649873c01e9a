"""The path-definition file (TOML): parsed and fully validated into frozen dataclasses.

Nothing here touches the database: ``parse_path_definition`` checks everything a load needs, so
that a load never starts writing a definition it would have to refuse halfway. The file format is
described in docs/path-format.md. Registered definition extensions
(``extensions.py``) read their own sections in the same pass.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from flask_babel import gettext as _

from lms.curriculum.definition.document import (
    BlockDefinition,
    CompetencyDefinition,
    LessonDefinition,
    ModuleDefinition,
    PathDefinition,
    PathDefinitionError,
    ScaleLevel,
)
from lms.curriculum.definition.extensions import (
    DefinitionContext,
    ExtensionData,
    RawModule,
    definition_extensions,
)
from lms.curriculum.definition.reading import (
    Entries,
    Field,
    Problems,
    check_references,
    entry_label,
    index_entries,
    read_table,
    read_tables,
    unknown_competency,
    unknown_key,
)
from lms.curriculum.graph import CycleError, topological_order
from lms.curriculum.models import LessonKind, ModuleMode, RatingRule


def _check_lesson(
    raw: dict[str, Any], values: dict[str, Any], where: str, problems: Problems
) -> None:
    """A link lesson needs a URL; a page lesson has none."""
    if values.get("kind") == LessonKind.LINK:
        if "url" not in raw:
            problems.add(where, _("a link lesson needs a url"))
    elif "url" in raw and "kind" in values:
        problems.add(where + ".url", _('only a link lesson (kind = "link") has a url'))


LESSON_FIELDS = {
    "title": Field("line", max_length=200),
    "kind": Field("choice", required=False, default=LessonKind.PAGE, choices=LessonKind),
    "url": Field("url", required=False, max_length=500),
    "required": Field("bool", required=False, default=True),
    "body": Field("text", required=False, default=""),
}
PATH_FIELDS = {
    "code": Field("line", max_length=40),
    "version": Field("int"),
    "title": Field("line", max_length=200),
    "description": Field("text", required=False, default=""),
    "certifier": Field("text", required=False, default="", max_length=200),
    "rating_rule": Field("choice", required=False, default=RatingRule.LATEST, choices=RatingRule),
}
SCALE_FIELDS = {
    "value": Field("int"),
    "label": Field("line", max_length=80),
    "description": Field("text", required=False),
}
BLOCK_FIELDS = {
    "code": Field("line", max_length=20),
    "title": Field("line", max_length=200),
    "evaluation": Field("text", required=False, default=""),
}
COMPETENCY_FIELDS = {
    "code": Field("line", max_length=20),
    "block": Field("line", max_length=20),
    "title": Field("line", max_length=200),
    "description": Field("text", required=False, default=""),
    "required_level": Field("int"),
}
MODULE_FIELDS = {
    "code": Field("line", max_length=20),
    "title": Field("line", max_length=200),
    "summary": Field("line"),
    "hours": Field("int"),
    "mode": Field("choice", choices=ModuleMode),
    "prerequisites": Field("codes", required=False, default=()),
    "competencies": Field("codes"),
    "lessons": Field("tables", fields=LESSON_FIELDS, check=_check_lesson),
}
SECTIONS = ("path", "scale", "blocks", "competencies", "modules")
PATH_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def parse_path_definition(text: str, source: str = "<string>") -> PathDefinition:
    """Parse and validate a path definition; raise ``PathDefinitionError`` naming every problem."""
    data = _load_toml(text, source)
    problems = Problems()
    extensions = definition_extensions()
    allowed = SECTIONS + tuple(name for ext in extensions for name in ext.sections)
    for key in data:
        if key not in allowed:
            problems.add("", unknown_key(key, allowed))
    module_fields = MODULE_FIELDS | {
        key: Field("raw", required=False) for ext in extensions for key in ext.module_keys
    }
    path = _read_path(data, problems)
    sections = {
        name: _read_section(data, name, fields, problems)
        for name, fields in (
            ("scale", SCALE_FIELDS),
            ("blocks", BLOCK_FIELDS),
            ("competencies", COMPETENCY_FIELDS),
            ("modules", module_fields),
        )
    }
    _check_scale(sections["scale"], problems)
    _check_competencies(sections, problems)
    _check_modules(sections, problems)
    context = _context(data, sections)
    extension_data = [ext.read(data, context, problems) for ext in extensions]
    if problems:
        raise PathDefinitionError([f"{source}: {problem}" for problem in problems])
    return _build(path, sections, extension_data)


def _load_toml(text: str, source: str) -> dict[str, Any]:
    """Parse the TOML text; a syntax error names the file, line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = source
        found = re.search(r" \(at line (\d+), column (\d+)\)$", message)
        if found:
            message = message[: found.start()]
            line, column = found.groups()
            where += ", " + _("line %(line)s, column %(column)s", line=line, column=column)
        problem = f"{where}: " + _("invalid TOML: %(error)s", error=message)
        raise PathDefinitionError([problem]) from error


def _read_path(data: dict[str, Any], problems: Problems) -> dict[str, Any]:
    """Read the [path] table: a code of lowercase letters, digits and dashes, a version >= 1."""
    if "path" not in data:
        problems.add("", _("missing required section [path]"))
        return {}
    path = read_table(data["path"], PATH_FIELDS, "path", problems)
    if "code" in path and not PATH_CODE.fullmatch(path["code"]):
        problems.add("path.code", _("must be lowercase letters, digits and dashes (a-z, 0-9, -)"))
    if path.get("version", 1) < 1:
        problems.add("path.version", _("must be 1 or more"))
    return path


def _read_section(
    data: dict[str, Any], name: str, fields: dict[str, Field], problems: Problems
) -> Entries:
    if name not in data:
        problems.add("", _("missing required section [[%(name)s]]", name=name))
        return []
    return read_tables(data[name], fields, name, problems) or []


def _context(data: dict[str, Any], sections: dict[str, Entries]) -> DefinitionContext:
    """Tell extensions what the curriculum part declares (the valid parts of it)."""
    raw_modules = data.get("modules")
    if not isinstance(raw_modules, list):
        raw_modules = []
    return DefinitionContext(
        competencies=frozenset(v["code"] for _w, v in sections["competencies"] if "code" in v),
        scale=frozenset(v["value"] for _w, v in sections["scale"] if "value" in v),
        modules=tuple(
            RawModule(entry_label("modules", index, table), table.get("code"), table)
            for index, table in enumerate(raw_modules)
            if isinstance(table, dict)
        ),
    )


def _check_scale(scale: Entries, problems: Problems) -> None:
    """The scale has 2+ levels valued 0, 1, 2, … without a gap."""
    values = sorted(index_entries(scale, "value", problems))
    if scale and len(scale) < 2:
        problems.add("scale", _("needs at least two levels (0 and 1)"))
    if values and values != list(range(len(values))):
        found = ", ".join(str(value) for value in values)
        problems.add(
            "scale", _("values must run 0, 1, 2, … without a gap (found %(found)s)", found=found)
        )


def _check_competencies(sections: dict[str, Entries], problems: Problems) -> None:
    """Each competency names a declared block and a required level >= 1 of the scale."""
    blocks = index_entries(sections["blocks"], "code", problems)
    scale = {values["value"] for _where, values in sections["scale"] if "value" in values}
    index_entries(sections["competencies"], "code", problems)
    used_blocks = set()
    for where, values in sections["competencies"]:
        block = values.get("block")
        used_blocks.add(block)
        if block is not None and block not in blocks:
            problems.add(where + ".block", _("unknown block %(code)s", code=block))
        level = values.get("required_level")
        if level is not None and (level < 1 or (scale and level not in scale)):
            problems.add(
                where + ".required_level",
                _("must be a level of the scale, 1 or more (not %(level)s)", level=level),
            )
    for where, values in sections["blocks"]:
        if "code" in values and values["code"] not in used_blocks:
            problems.add(where, _("the block has no competency"))


def _check_modules(sections: dict[str, Entries], problems: Problems) -> None:
    """Modules have positive hours, 1+ competencies and lessons, and acyclic prerequisites."""
    modules = index_entries(sections["modules"], "code", problems)
    competencies = {
        values["code"] for _where, values in sections["competencies"] if "code" in values
    }
    graph: dict[str, list[str]] = {}
    for index, (where, values) in enumerate(sections["modules"]):
        code = values.get("code")
        if values.get("hours", 1) < 1:
            problems.add(where + ".hours", _("must be 1 or more"))
        if "competencies" in values and not values["competencies"]:
            problems.add(where + ".competencies", _("the module develops no competency"))
        needs = values.get("prerequisites", ())
        check_references(needs, modules, where + ".prerequisites", problems, _unknown_module, code)
        check_references(
            values.get("competencies", ()),
            competencies,
            where + ".competencies",
            problems,
            unknown_competency,
        )
        if code is not None and modules.get(code) == index:
            graph[code] = [need for need in needs if need in modules and need != code]
    try:
        topological_order(graph)
    except CycleError as error:
        cycle = " → ".join([*error.cycle, error.cycle[0]])
        problems.add("modules", _("the prerequisites form a cycle: %(cycle)s", cycle=cycle))


def _unknown_module(code: str) -> str:
    return _("unknown module %(code)s", code=code)


def _build(
    path: dict[str, Any], sections: dict[str, Entries], extension_data: list[ExtensionData]
) -> PathDefinition:
    """Build the definition from checked values, lists in canonical order (see PathDefinition)."""
    blocks = [values for _where, values in sections["blocks"]]
    block_rank = {block["code"]: index for index, block in enumerate(blocks)}
    competencies = sorted(
        (values for _where, values in sections["competencies"]),
        key=lambda competency: block_rank[competency["block"]],
    )
    competency_rank = {competency["code"]: index for index, competency in enumerate(competencies)}
    modules = [values for _where, values in sections["modules"]]
    module_rank = {module["code"]: index for index, module in enumerate(modules)}
    extra = merge_module_data(extension_data)
    return PathDefinition(
        **path,
        scale=tuple(sorted(_scale_level(values) for _where, values in sections["scale"])),
        blocks=tuple(BlockDefinition(**block) for block in blocks),
        competencies=tuple(CompetencyDefinition(**values) for values in competencies),
        modules=tuple(
            _build_module(module, module_rank, competency_rank, extra.get(module["code"], {}))
            for module in modules
        ),
        sections={name: value for data in extension_data for name, value in data.sections.items()},
    )


def _scale_level(values: dict[str, Any]) -> ScaleLevel:
    """Return a step of the scale; an empty description is no description (same hash)."""
    return ScaleLevel(values["value"], values["label"], values.get("description") or None)


def merge_module_data(extension_data: list[ExtensionData]) -> dict[str, dict[str, Any]]:
    """Merge the extensions' per-module keys: module code → {key: value}."""
    merged: dict[str, dict[str, Any]] = {}
    for data in extension_data:
        for code, keys in data.modules.items():
            merged.setdefault(code, {}).update(keys)
    return merged


def _build_module(
    values: dict[str, Any],
    module_rank: dict[str, int],
    competency_rank: dict[str, int],
    extra: dict[str, Any],
) -> ModuleDefinition:
    known = {key: value for key, value in values.items() if key in MODULE_FIELDS}
    return ModuleDefinition(
        **{
            **known,
            "prerequisites": tuple(sorted(values["prerequisites"], key=module_rank.__getitem__)),
            "competencies": tuple(sorted(values["competencies"], key=competency_rank.__getitem__)),
            "lessons": tuple(LessonDefinition(**lesson) for _where, lesson in values["lessons"]),
        },
        extra=extra,
    )
