"""The path-definition file (TOML): parsed and fully validated into frozen dataclasses.

Nothing here touches the database: ``parse_path_definition`` checks everything a load needs, so
that a load never starts writing a definition it would have to refuse halfway. The file format is
described in the README ("The path-definition format").
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _

from lms.curriculum.graph import CycleError, topological_order
from lms.curriculum.models import LessonKind, ModuleMode, RatingRule


class CurriculumError(Exception):
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
    code: str
    title: str
    summary: str
    hours: int
    mode: ModuleMode
    prerequisites: tuple[str, ...]
    competencies: tuple[str, ...]
    lessons: tuple[LessonDefinition, ...]


@dataclass(frozen=True)
class PathDefinition:
    """One version of a training path, as declared in its file (field order = file order).

    Lists are kept in a canonical order, the one the database gives back: the scale by value,
    competencies grouped by block, a module's prerequisites and competencies in declared order.
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

    def to_document(self) -> dict[str, Any]:
        """Return the definition as the plain TOML document (same sections and key order)."""
        plain = _plain(dataclasses.asdict(self))
        path = {key: plain.pop(key) for key in PATH_FIELDS}
        return {"path": path, **plain}

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


# --- Reading: a field spec per table kind; a nested array of tables is one more field. ---


@dataclass(frozen=True)
class _Field:
    kind: str  # "line" (non-blank), "text", "url", "int", "bool", "codes", "choice", "tables"
    required: bool = True
    default: Any = None
    max_length: int | None = None
    choices: type[StrEnum] | None = None
    fields: dict[str, _Field] | None = None  # for "tables"
    # For "tables": a check of each entry (raw table, valid values, location, problems).
    check: Callable[[dict[str, Any], dict[str, Any], str, _Problems], None] | None = None


class _Problems(list[str]):
    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}" if where else message)


def _check_lesson(raw: dict[str, Any], values: dict[str, Any], where: str, problems) -> None:
    """A link lesson needs a URL; a page lesson has none."""
    if values.get("kind") == LessonKind.LINK:
        if "url" not in raw:
            problems.add(where, _("a link lesson needs a url"))
    elif "url" in raw and "kind" in values:
        problems.add(where + ".url", _('only a link lesson (kind = "link") has a url'))


LESSON_FIELDS = {
    "title": _Field("line", max_length=200),
    "kind": _Field("choice", required=False, default=LessonKind.PAGE, choices=LessonKind),
    "url": _Field("url", required=False, max_length=500),
    "required": _Field("bool", required=False, default=True),
    "body": _Field("text", required=False, default=""),
}
PATH_FIELDS = {
    "code": _Field("line", max_length=40),
    "version": _Field("int"),
    "title": _Field("line", max_length=200),
    "description": _Field("text", required=False, default=""),
    "certifier": _Field("text", required=False, default="", max_length=200),
    "rating_rule": _Field("choice", required=False, default=RatingRule.LATEST, choices=RatingRule),
}
SCALE_FIELDS = {"value": _Field("int"), "label": _Field("line", max_length=80)}
BLOCK_FIELDS = {
    "code": _Field("line", max_length=20),
    "title": _Field("line", max_length=200),
    "evaluation": _Field("text", required=False, default=""),
}
COMPETENCY_FIELDS = {
    "code": _Field("line", max_length=20),
    "block": _Field("line", max_length=20),
    "title": _Field("line", max_length=200),
    "description": _Field("text", required=False, default=""),
    "required_level": _Field("int"),
}
MODULE_FIELDS = {
    "code": _Field("line", max_length=20),
    "title": _Field("line", max_length=200),
    "summary": _Field("line"),
    "hours": _Field("int"),
    "mode": _Field("choice", choices=ModuleMode),
    "prerequisites": _Field("codes", required=False, default=()),
    "competencies": _Field("codes"),
    "lessons": _Field("tables", fields=LESSON_FIELDS, check=_check_lesson),
}
SECTIONS = ("path", "scale", "blocks", "competencies", "modules")
PATH_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
URL = re.compile(r"https?://[^\s/?#]+\S*")


def _read_value(value: Any, field: _Field, where: str, problems: _Problems) -> Any:
    """Return the checked value of one key, or None after recording why it is refused.

    ``problems.add`` returns None, so ``return problems.add(...)`` records and refuses at once.
    """
    if field.kind == "tables":
        return _read_tables(value, field.fields or {}, where, problems, field.check)
    if field.kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return value if ok else problems.add(where, _("must be an integer"))
    if field.kind == "bool":
        ok = isinstance(value, bool)
        return value if ok else problems.add(where, _("must be true or false"))
    if field.kind == "codes":
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        return problems.add(where, _("must be a list of codes (strings)"))
    if not isinstance(value, str):
        return problems.add(where, _("must be a string"))
    value = value.replace("\r\n", "\n")  # a file saved with Windows line endings
    if field.kind == "choice":
        allowed = [member.value for member in field.choices or ()]
        if value in allowed:
            return (field.choices or StrEnum)(value)
        allowed_text = ", ".join(allowed)
        return problems.add(
            where,
            _("must be one of %(allowed)s (not %(value)s)", allowed=allowed_text, value=value),
        )
    if field.kind == "line" and not value.strip():
        return problems.add(where, _("must not be empty"))
    if field.kind == "url" and not URL.fullmatch(value):
        return problems.add(where, _("must be an http:// or https:// address"))
    if field.max_length and len(value) > field.max_length:
        return problems.add(where, _("is longer than %(n)d characters", n=field.max_length))
    return value


def _read_table(
    raw: Any, fields: dict[str, _Field], where: str, problems: _Problems
) -> dict[str, Any]:
    """Return the valid values of a table (defaults filled in); record every problem."""
    if not isinstance(raw, dict):
        problems.add(where, _("must be a table"))
        return {}
    for key in raw:
        if key not in fields:
            problems.add(where, _unknown_key(key, fields))
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name in raw:
            value = _read_value(raw[name], field, f"{where}.{name}", problems)
            if value is not None:
                values[name] = value
        elif field.required:
            problems.add(where, _("missing required key %(key)s", key=name))
        elif field.default is not None:
            values[name] = field.default
    return values


def _unknown_key(key: str, fields: Collection[str]) -> str:
    """Name the unknown key and the likely intended one: typos are refused, not ignored."""
    close = difflib.get_close_matches(key, list(fields), n=1)
    if close:
        return _("unknown key %(key)s (did you mean %(close)s?)", key=key, close=close[0])
    return _("unknown key %(key)s (allowed: %(allowed)s)", key=key, allowed=", ".join(fields))


def _read_tables(
    raw: Any, fields: dict[str, _Field], where: str, problems: _Problems, check=None
) -> list[tuple[str, dict[str, Any]]] | None:
    """Read an array of tables: (location, values) for each entry, in order."""
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        return problems.add(where, _("must be an array of tables"))
    if not raw:
        return problems.add(where, _("must have at least one entry"))
    entries = []
    for index, item in enumerate(raw):
        code = item.get("code")
        label = f"{where}[{index}]" + (f" ({code})" if isinstance(code, str) else "")
        values = _read_table(item, fields, label, problems)
        if check is not None:
            check(item, values, label, problems)
        entries.append((label, values))
    return entries


def parse_path_definition(text: str, source: str = "<string>") -> PathDefinition:
    """Parse and validate a path definition; raise ``PathDefinitionError`` naming every problem."""
    data = _load_toml(text, source)
    problems = _Problems()
    for key in data:
        if key not in SECTIONS:
            problems.add("", _unknown_key(key, SECTIONS))
    path = _read_path(data, problems)
    sections = {
        name: _read_section(data, name, fields, problems)
        for name, fields in (
            ("scale", SCALE_FIELDS),
            ("blocks", BLOCK_FIELDS),
            ("competencies", COMPETENCY_FIELDS),
            ("modules", MODULE_FIELDS),
        )
    }
    _check_scale(sections["scale"], problems)
    _check_competencies(sections, problems)
    _check_modules(sections, problems)
    if problems:
        raise PathDefinitionError([f"{source}: {problem}" for problem in problems])
    return _build(path, sections)


Entries = list[tuple[str, dict[str, Any]]]


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


def _read_path(data: dict[str, Any], problems: _Problems) -> dict[str, Any]:
    """Read the [path] table: a code of lowercase letters, digits and dashes, a version >= 1."""
    if "path" not in data:
        problems.add("", _("missing required section [path]"))
        return {}
    path = _read_table(data["path"], PATH_FIELDS, "path", problems)
    if "code" in path and not PATH_CODE.fullmatch(path["code"]):
        problems.add("path.code", _("must be lowercase letters, digits and dashes (a-z, 0-9, -)"))
    if path.get("version", 1) < 1:
        problems.add("path.version", _("must be 1 or more"))
    return path


def _read_section(
    data: dict[str, Any], name: str, fields: dict[str, _Field], problems: _Problems
) -> Entries:
    if name not in data:
        problems.add("", _("missing required section [[%(name)s]]", name=name))
        return []
    return _read_tables(data[name], fields, name, problems) or []


def _index(entries: Entries, key: str, problems: _Problems) -> dict[Any, int]:
    """Map each entry's ``key`` (code, value) to its position; refuse duplicates."""
    seen: dict[Any, int] = {}
    for index, (where, values) in enumerate(entries):
        if key not in values:
            continue
        if values[key] in seen:
            first = entries[seen[values[key]]][0]
            problems.add(
                where, _("duplicate %(key)s (already used by %(first)s)", key=key, first=first)
            )
        else:
            seen[values[key]] = index
    return seen


def _check_scale(scale: Entries, problems: _Problems) -> None:
    """The scale has 2+ levels valued 0, 1, 2, … without a gap."""
    values = sorted(_index(scale, "value", problems))
    if scale and len(scale) < 2:
        problems.add("scale", _("needs at least two levels (0 and 1)"))
    if values and values != list(range(len(values))):
        found = ", ".join(str(value) for value in values)
        problems.add(
            "scale", _("values must run 0, 1, 2, … without a gap (found %(found)s)", found=found)
        )


def _check_competencies(sections: dict[str, Entries], problems: _Problems) -> None:
    """Each competency names a declared block and a required level >= 1 of the scale."""
    blocks = _index(sections["blocks"], "code", problems)
    scale = {values["value"] for _where, values in sections["scale"] if "value" in values}
    _index(sections["competencies"], "code", problems)
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


def _check_modules(sections: dict[str, Entries], problems: _Problems) -> None:
    """Modules have positive hours, 1+ competencies and lessons, and acyclic prerequisites."""
    modules = _index(sections["modules"], "code", problems)
    competencies = {values.get("code") for _where, values in sections["competencies"]}
    graph: dict[str, list[str]] = {}
    for index, (where, values) in enumerate(sections["modules"]):
        code = values.get("code")
        if values.get("hours", 1) < 1:
            problems.add(where + ".hours", _("must be 1 or more"))
        if "competencies" in values and not values["competencies"]:
            problems.add(where + ".competencies", _("the module develops no competency"))
        needs = values.get("prerequisites", ())
        _check_references(needs, modules, where + ".prerequisites", problems, _unknown_module, code)
        _check_references(
            values.get("competencies", ()),
            competencies,
            where + ".competencies",
            problems,
            _unknown_competency,
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


def _unknown_competency(code: str) -> str:
    return _("unknown competency %(code)s", code=code)


def _check_references(
    codes: tuple[str, ...],
    known: Collection[str],
    where: str,
    problems: _Problems,
    unknown: Callable[[str], str],
    own: str | None = None,
) -> None:
    """Refuse repeated, unknown and self references in a list of codes."""
    seen = set()
    for code in codes:
        if code in seen:
            problems.add(where, _("%(code)s is listed twice", code=code))
        elif code == own:
            problems.add(where, _("a module cannot require itself (%(code)s)", code=code))
        elif code not in known:
            problems.add(where, unknown(code))
        seen.add(code)


def _build(path: dict[str, Any], sections: dict[str, Entries]) -> PathDefinition:
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
    return PathDefinition(
        **path,
        scale=tuple(sorted(ScaleLevel(**values) for _where, values in sections["scale"])),
        blocks=tuple(BlockDefinition(**block) for block in blocks),
        competencies=tuple(CompetencyDefinition(**values) for values in competencies),
        modules=tuple(_build_module(module, module_rank, competency_rank) for module in modules),
    )


def _build_module(
    values: dict[str, Any], module_rank: dict[str, int], competency_rank: dict[str, int]
) -> ModuleDefinition:
    return ModuleDefinition(
        **{
            **values,
            "prerequisites": tuple(sorted(values["prerequisites"], key=module_rank.__getitem__)),
            "competencies": tuple(sorted(values["competencies"], key=competency_rank.__getitem__)),
            "lessons": tuple(LessonDefinition(**lesson) for _where, lesson in values["lessons"]),
        }
    )
