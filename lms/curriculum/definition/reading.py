"""Reading TOML tables against a field spec, recording every problem with where it is.

Shared by the curriculum parser and by the higher domains' definition extensions
(``lms.curriculum.definition.extensions``), so that every refusal reads the same way:
``modules[2] (M2).assessments[0] (M2-A1).rubric: unknown rubric R-M9``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _

URL = re.compile(r"https?://[^\s/?#]+\S*")

Entries = list[tuple[str, dict[str, Any]]]


class Problems(list[str]):
    """The problems found so far, each prefixed with its location."""

    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}" if where else message)


# A check of each entry of an array of tables (raw table, valid values, location, problems).
Check = Callable[[dict[str, Any], dict[str, Any], str, Problems], None]


@dataclass(frozen=True)
class Field:
    """How to read one key.

    ``kind``: "line" (non-blank), "text", "url", "int", "bool", "codes" (list of strings),
    "choice" (a ``StrEnum`` value), "tables" (a nested array of tables read with ``fields``)
    or "raw" (kept as written, for an extension to read).
    """

    kind: str
    required: bool = True
    default: Any = None
    max_length: int | None = None
    choices: type[StrEnum] | None = None
    fields: dict[str, Field] | None = None  # for "tables"
    check: Check | None = None  # for "tables"


def read_value(value: Any, field: Field, where: str, problems: Problems) -> Any:
    """Return the checked value of one key, or None after recording why it is refused.

    ``problems.add`` returns None, so ``return problems.add(...)`` records and refuses at once.
    """
    if field.kind == "raw":
        return value
    if field.kind == "tables":
        return read_tables(value, field.fields or {}, where, problems, field.check)
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
    return _read_string(value.replace("\r\n", "\n"), field, where, problems)


def _read_string(value: str, field: Field, where: str, problems: Problems) -> Any:
    """Check a string value (line endings already made Unix ones)."""
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


def read_table(
    raw: Any,
    fields: dict[str, Field],
    where: str,
    problems: Problems,
    unknown: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """Return the valid values of a table (defaults filled in); record every problem.

    ``unknown(key)`` may explain a key that is not in ``fields`` better than the default
    message (e.g. a key that belongs to another kind of entry).
    """
    if not isinstance(raw, dict):
        problems.add(where, _("must be a table"))
        return {}
    for key in raw:
        if key not in fields:
            problems.add(where, (unknown and unknown(key)) or unknown_key(key, fields))
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name in raw:
            value = read_value(raw[name], field, f"{where}.{name}", problems)
            if value is not None:
                values[name] = value
        elif field.required:
            problems.add(where, _("missing required key %(key)s", key=name))
        elif field.default is not None:
            values[name] = field.default
    return values


def unknown_key(key: str, fields: Collection[str]) -> str:
    """Name the unknown key and the likely intended one: typos are refused, not ignored."""
    close = difflib.get_close_matches(key, list(fields), n=1)
    if close:
        return _("unknown key %(key)s (did you mean %(close)s?)", key=key, close=close[0])
    return _("unknown key %(key)s (allowed: %(allowed)s)", key=key, allowed=", ".join(fields))


def entry_label(where: str, index: int, item: Any) -> str:
    """Name an entry of an array of tables: ``modules[2] (M2)``, with its code when it has one."""
    code = item.get("code") if isinstance(item, dict) else None
    return f"{where}[{index}]" + (f" ({code})" if isinstance(code, str) else "")


def read_tables(
    raw: Any,
    fields: dict[str, Field],
    where: str,
    problems: Problems,
    check: Check | None = None,
) -> Entries | None:
    """Read an array of tables: (location, values) for each entry, in order."""
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        problems.add(where, _("must be an array of tables"))
        return None
    if not raw:
        problems.add(where, _("must have at least one entry"))
        return None
    entries = []
    for index, item in enumerate(raw):
        label = entry_label(where, index, item)
        values = read_table(item, fields, label, problems)
        if check is not None:
            check(item, values, label, problems)
        entries.append((label, values))
    return entries


def index_entries(entries: Entries, key: str, problems: Problems) -> dict[Any, int]:
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


def check_references(
    codes: tuple[str, ...],
    known: Collection[str],
    where: str,
    problems: Problems,
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


def unknown_competency(code: str) -> str:
    return _("unknown competency %(code)s", code=code)
