"""Validating Open Badges 3.0 credentials against 1EdTech's JSON Schema (bundled).

1EdTech's validator checks a credential against the schema its ``credentialSchema`` names: the
``AchievementCredential`` schema for VC Data Model 2.0 (JSON Schema Draft 2019-09, in
``schemas/``, see its README). The draft-04 schema published elsewhere is for VC Data Model 1.1
and refuses ``validFrom``: it is not used.

- Nothing is fetched: the schema's references are all internal (``#/$defs/…``), and the
  reference registry refuses any other, so a schema or document cannot make us load a URL.
- The schema is 1EdTech's plain-JSON one: collections are arrays, ``proof`` included (a
  one-proof set, ``[{…}]``; 1EdTech's own example, with a single object, fails it, as does
  their validator: 1EdTech/digital-credentials-public-validator#11). Credentials we issue carry
  their proof in an array, which ``lms.core.dataintegrity.verify`` accepts.
- ``date-time`` and ``date`` formats are checked (RFC 3339), as 1EdTech's validator does: a
  ``validFrom`` that is not a date-time is an invalid credential, not a note.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator, FormatChecker
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

SCHEMA_FILE = Path(__file__).with_name("schemas") / "ob_v3p0_achievementcredential.json"
# What a credential's ``credentialSchema`` names: 1EdTech's published address of this schema
# (the file's own ``$id`` is the build's name for it, ``…-jsonschema1.json``).
SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"
# RFC 3339 date-time (JSON Schema's ``date-time``): a time zone is required.
DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
LONGEST_MESSAGE = 300

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats apply to strings only
    if not DATE_TIME.fullmatch(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # 2026-02-30 raises
    return True


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):
        return False
    date.fromisoformat(value)
    return True


def _refuse(uri: str) -> Resource[Any]:
    """Refuse to load any schema that is not bundled (the registry's only way to get one)."""
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # attrs alias, unseen by mypy


@cache
def _validator() -> Draft201909Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    registry: Registry[Any] = Registry(retrieve=_refuse)  # type: ignore[call-arg]  # attrs alias
    return Draft201909Validator(schema, registry=registry, format_checker=FORMATS)


def validate_credential(document: Any) -> list[str]:
    """Return why the document is not a valid ``AchievementCredential`` (empty when it is).

    One line per problem, the member's path first (``credentialSubject/identifier/0/…``, or
    ``(document)``), sorted by path; never raises for any JSON value.
    """
    problems = []
    for error in _validator().iter_errors(document):
        path = "/".join(str(step) for step in error.absolute_path) or "(document)"
        message = error.message.replace(repr(error.instance), _shortened(repr(error.instance)))
        problems.append(f"{path}: {_shortened(message, LONGEST_MESSAGE)}")
    return sorted(problems)


def _shortened(text: str, longest: int = 60) -> str:
    """Return the text cut to ``longest`` characters (a quoted member can be a whole object)."""
    return text if len(text) <= longest else text[: longest - 1] + "…"
