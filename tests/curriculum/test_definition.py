"""Parsing and validation of path-definition files (no database involved)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.curriculum.definition import (
    CurriculumError,
    LessonDefinition,
    PathDefinitionError,
    parse_path_definition,
)
from lms.curriculum.models import LessonKind, ModuleMode, RatingRule
from lms.curriculum.services import dump_path_definition
from tests.curriculum.support import replaced, to_toml, valid_document, valid_text


def refusal(text: str) -> str:
    """Parse text that must be refused; return the error message."""
    with pytest.raises(PathDefinitionError) as caught:
        parse_path_definition(text, source="essai.toml")
    return str(caught.value)


def test_valid_definition_is_read_in_file_order():
    definition = parse_path_definition(valid_text())
    assert (definition.code, definition.version) == ("parcours-essai", 1)
    assert definition.rating_rule is RatingRule.BEST
    assert [level.value for level in definition.scale] == [0, 1, 2]
    assert [block.code for block in definition.blocks] == ["BC1", "BC2"]
    assert [module.code for module in definition.modules] == ["M1", "M2", "M3", "M4"]
    m2, m4 = definition.modules[1], definition.modules[3]
    assert m2.mode is ModuleMode.BLENDED
    assert m2.lessons[0] == LessonDefinition(
        "Une ressource", LessonKind.LINK, "https://example.org/ressource", False, ""
    )
    assert m2.lessons[1].kind is LessonKind.PAGE
    assert m2.lessons[1].required is True
    assert m4.prerequisites == ("M2", "M3")


def test_lists_are_kept_in_canonical_order():
    definition = parse_path_definition(valid_text())
    # Competencies are grouped by block; a module's lists follow the declared order.
    assert [c.code for c in definition.competencies] == ["C1.1", "C1.2", "C2.1"]
    assert definition.modules[1].competencies == ("C1.1", "C1.2")
    assert definition.modules[3].prerequisites == ("M2", "M3")


def test_definition_is_frozen():
    definition = parse_path_definition(valid_text())
    with pytest.raises(dataclasses.FrozenInstanceError):
        definition.title = "Autre"  # type: ignore[misc]
    assert isinstance(definition.modules, tuple)


def test_sha256_depends_on_content_only():
    definition = parse_path_definition(valid_text())
    assert len(definition.canonical_sha256()) == 64
    assert parse_path_definition(to_toml(valid_document())) == definition
    crlf = parse_path_definition(valid_text().replace("\n", "\r\n"))
    assert crlf.canonical_sha256() == definition.canonical_sha256()
    changed = replaced(valid_text(), 'title = "Ouvrir"', 'title = "Ouvrir grand"')
    assert parse_path_definition(changed).canonical_sha256() != definition.canonical_sha256()


def test_dump_parses_back_to_the_same_definition():
    definition = parse_path_definition(valid_text())
    text = dump_path_definition(definition)
    assert text.index("[path]") < text.index("[[scale]]") < text.index("[[modules]]")
    assert "  [[modules.lessons]]" in text
    again = parse_path_definition(text)
    assert again == definition
    assert again.canonical_sha256() == definition.canonical_sha256()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(
    title=st.text(min_size=1, max_size=200).filter(str.strip),
    body=st.text(max_size=300),
)
def test_any_text_survives_the_round_trip(title, body):
    document = valid_document()
    document["modules"][0]["title"] = title
    document["modules"][0]["lessons"][0]["body"] = body
    definition = parse_path_definition(to_toml(document))
    assert parse_path_definition(dump_path_definition(definition)) == definition


def test_error_is_a_curriculum_error_listing_each_problem():
    document = valid_document()
    document["modules"][0]["hours"] = "7"
    document["modules"][1]["mode"] = "remote"
    with pytest.raises(CurriculumError) as caught:
        parse_path_definition(to_toml(document), source="essai.toml")
    assert caught.value.problems == [
        "essai.toml: modules[0] (M1).hours: must be an integer",
        "essai.toml: modules[1] (M2).mode: must be one of online, in-person, blended (not remote)",
    ]
    assert str(caught.value).splitlines() == caught.value.problems


def test_toml_syntax_error_names_the_line():
    text = replaced(valid_text(), "version = 1", "version = ")
    message = refusal(text)
    line = text.splitlines().index("version = ") + 1
    assert message.startswith(f"essai.toml, line {line}, column")
    assert "invalid TOML" in message


def test_key_given_twice_is_a_syntax_error():
    message = refusal(replaced(valid_text(), "version = 1", "version = 1\nversion = 2"))
    assert "invalid TOML" in message
    assert "line 6" in message


def _mutate(change):
    """Return definition text after applying ``change`` to the valid document."""
    document = valid_document()
    change(document)
    return to_toml(document)


def _set(section, index, key, value):
    return lambda document: document[section][index].__setitem__(key, value)


def _delete(section, index, key):
    return lambda document: document[section][index].__delitem__(key)


def _append(section, entry):
    return lambda document: document[section].append(entry)


LINK = {"title": "Lien", "kind": "link", "url": "https://example.org"}
REFUSALS = {
    "missing section": (
        lambda document: document.pop("modules"),
        "missing required section [[modules]]",
    ),
    "missing path": (lambda document: document.pop("path"), "missing required section [path]"),
    "unknown section": (
        lambda document: document.__setitem__("module", []),
        "unknown key module (did you mean modules?)",
    ),
    "missing field": (
        _delete("modules", 0, "hours"),
        "modules[0] (M1): missing required key hours",
    ),
    "missing title": (
        lambda document: document["path"].pop("title"),
        "path: missing required key title",
    ),
    "wrong type": (_set("modules", 1, "hours", "14"), "modules[1] (M2).hours: must be an integer"),
    "bool as integer": (_set("modules", 1, "hours", True), "(M2).hours: must be an integer"),
    "wrong list": (
        _set("modules", 1, "prerequisites", "M1"),
        "modules[1] (M2).prerequisites: must be a list of codes",
    ),
    "wrong string": (_set("blocks", 0, "title", 3), "blocks[0] (BC1).title: must be a string"),
    "blank title": (_set("blocks", 0, "title", "  "), "blocks[0] (BC1).title: must not be empty"),
    "long title": (_set("blocks", 0, "title", "x" * 201), "longer than 200 characters"),
    "wrong section type": (
        lambda document: document.__setitem__("blocks", {"code": "BC1"}),
        "blocks: must be an array of tables",
    ),
    "unknown key": (
        _set("modules", 1, "prerequisite", ["M1"]),
        "modules[1] (M2): unknown key prerequisite (did you mean prerequisites?)",
    ),
    "unknown path key": (
        lambda document: document["path"].__setitem__("colour", "red"),
        "path: unknown key colour",
    ),
    "duplicate module": (
        _set("modules", 2, "code", "M2"),
        "modules[2] (M2): duplicate code (already used by modules[1] (M2))",
    ),
    "duplicate block": (
        _append("blocks", {"code": "BC1", "title": "Encore"}),
        "blocks[2] (BC1): duplicate code (already used by blocks[0] (BC1))",
    ),
    "duplicate competency": (
        _set("competencies", 2, "code", "C1.1"),
        "competencies[2] (C1.1): duplicate code (already used by competencies[0] (C1.1))",
    ),
    "duplicate scale value": (
        _append("scale", {"value": 2, "label": "Encore"}),
        "scale[3]: duplicate value (already used by scale[2])",
    ),
    "unknown prerequisite": (
        _set("modules", 3, "prerequisites", ["M2", "M9"]),
        "modules[3] (M4).prerequisites: unknown module M9",
    ),
    "repeated prerequisite": (
        _set("modules", 3, "prerequisites", ["M2", "M2"]),
        "modules[3] (M4).prerequisites: M2 is listed twice",
    ),
    "self prerequisite": (
        _set("modules", 2, "prerequisites", ["M1", "M3"]),
        "modules[2] (M3).prerequisites: a module cannot require itself (M3)",
    ),
    "competency without block": (
        _delete("competencies", 0, "block"),
        "competencies[0] (C1.1): missing required key block",
    ),
    "unknown block": (
        _set("competencies", 1, "block", "BC9"),
        "competencies[1] (C2.1).block: unknown block BC9",
    ),
    "module without competency": (
        _set("modules", 2, "competencies", []),
        "modules[2] (M3).competencies: the module develops no competency",
    ),
    "module missing competencies": (
        _delete("modules", 2, "competencies"),
        "modules[2] (M3): missing required key competencies",
    ),
    "unknown competency": (
        _set("modules", 2, "competencies", ["C2.1", "C7"]),
        "modules[2] (M3).competencies: unknown competency C7",
    ),
    "block without competency": (
        _append("blocks", {"code": "BC3", "title": "Vide"}),
        "blocks[2] (BC3): the block has no competency",
    ),
    "required level 0": (
        _set("competencies", 0, "required_level", 0),
        "competencies[0] (C1.1).required_level: must be a level of the scale, 1 or more (not 0)",
    ),
    "required level off the scale": (
        _set("competencies", 0, "required_level", 3),
        "competencies[0] (C1.1).required_level: must be a level of the scale, 1 or more (not 3)",
    ),
    "scale with a gap": (
        _set("scale", 2, "value", 3),
        "scale: values must run 0, 1, 2, … without a gap (found 0, 1, 3)",
    ),
    "scale not from 0": (
        _set("scale", 0, "value", 3),
        "scale: values must run 0, 1, 2, … without a gap (found 1, 2, 3)",
    ),
    "scale of one level": (
        lambda document: document.__setitem__("scale", [{"value": 0, "label": "Non évalué"}]),
        "scale: needs at least two levels",
    ),
    "bad mode": (
        _set("modules", 0, "mode", "remote"),
        "modules[0] (M1).mode: must be one of online, in-person, blended (not remote)",
    ),
    "bad rating rule": (
        lambda document: document["path"].__setitem__("rating_rule", "worst"),
        "path.rating_rule: must be one of latest, best, mean (not worst)",
    ),
    "bad kind": (
        lambda document: document["modules"][0]["lessons"][0].__setitem__("kind", "video"),
        "modules[0] (M1).lessons[0].kind: must be one of page, link (not video)",
    ),
    "link without url": (
        lambda document: document["modules"][1]["lessons"][0].pop("url"),
        "modules[1] (M2).lessons[0]: a link lesson needs a url",
    ),
    "page with url": (
        lambda document: document["modules"][0]["lessons"][0].__setitem__("url", "https://a.b"),
        'modules[0] (M1).lessons[0].url: only a link lesson (kind = "link") has a url',
    ),
    "unsafe url": (
        lambda document: document["modules"][0]["lessons"].append(
            {**LINK, "url": "javascript:alert(1)"}
        ),
        "modules[0] (M1).lessons[1].url: must be an http:// or https:// address",
    ),
    "module without lessons": (
        _set("modules", 0, "lessons", []),
        "modules[0] (M1).lessons: must have at least one entry",
    ),
    "lesson without title": (
        lambda document: document["modules"][0]["lessons"][0].pop("title"),
        "modules[0] (M1).lessons[0]: missing required key title",
    ),
    "bad path code": (
        lambda document: document["path"].__setitem__("code", "Parcours Essai"),
        "path.code: must be lowercase letters, digits and dashes",
    ),
    "version 0": (
        lambda document: document["path"].__setitem__("version", 0),
        "path.version: must be 1 or more",
    ),
    "no hours": (_set("modules", 0, "hours", 0), "modules[0] (M1).hours: must be 1 or more"),
    "bad required flag": (
        lambda document: document["modules"][0]["lessons"][0].__setitem__("required", "yes"),
        "modules[0] (M1).lessons[0].required: must be true or false",
    ),
}


@pytest.mark.parametrize(("change", "expected"), REFUSALS.values(), ids=REFUSALS.keys())
def test_refusal_names_the_problem_and_where(change, expected):
    message = refusal(_mutate(change))
    assert expected in message
    assert message.startswith("essai.toml: ")


def test_cycle_names_its_modules():
    message = refusal(_mutate(_set("modules", 0, "prerequisites", ["M4"])))
    assert message.startswith("essai.toml: modules: the prerequisites form a cycle: ")
    cycle = message.rsplit(": ", 1)[1].split(" → ")
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"M1", "M2", "M4"}


def test_every_problem_is_reported_at_once():
    document = valid_document()
    document["modules"][3]["prerequisites"] = ["M9"]
    document["competencies"][1]["block"] = "BC9"
    document["modules"][0]["colour"] = "red"
    lines = refusal(to_toml(document)).splitlines()
    assert len(lines) == 4  # the unknown block also leaves BC2 without competency
    assert all(line.startswith("essai.toml: ") for line in lines)
