"""The ``[jury]`` table of the path definition: read, refused with located messages, exported."""

from __future__ import annotations

import pytest

from lms.certificates.jury.definition import jury_of_path
from lms.curriculum.definition import PathDefinitionError, parse_path_definition
from lms.curriculum.services import (
    export_path,
    load_path,
    load_path_file,
    shipped_path_file,
)
from lms.extensions import db
from tests.curriculum.support import valid_text

JURY = """
[jury]
size = 3
min_external_share = 50
quorum = 2
majority = "simple"

[[jury.seats]]
code = "formateur"
title = "Formateur·ice"
external = false
count = 1

[[jury.seats]]
code = "professionnel"
title = "Professionnel·le extérieur·e"
external = true
count = 2
"""


def with_jury(jury: str = JURY) -> str:
    """Return the small valid definition with a jury table before its modules."""
    text = valid_text()
    at = text.index("[[modules]]")
    return text[:at] + jury + "\n" + text[at:]


def refusal(text: str) -> str:
    with pytest.raises(PathDefinitionError) as caught:
        parse_path_definition(text, source="essai.toml")
    return str(caught.value)


def test_jury_is_read_in_canonical_form():
    definition = parse_path_definition(with_jury())
    jury = definition.sections["jury"]
    assert jury["size"] == 3
    assert jury["quorum"] == 2
    assert jury["majority"] == "simple"
    assert [seat["code"] for seat in jury["seats"]] == ["formateur", "professionnel"]


def test_a_path_without_jury_hashes_as_before():
    assert "jury" not in parse_path_definition(valid_text()).sections


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("size = 3", "size = 1", "essai.toml: jury.size: must be 2 or more"),
        ("quorum = 2", "quorum = 4", "essai.toml: jury.quorum: must be from 1 to the jury"),
        ("min_external_share = 50", "min_external_share = 150", "jury.min_external_share"),
        ('majority = "simple"', 'majority = "unanimity"', "jury.majority: must be one of"),
        ("count = 2", "count = 1", "the seats' counts add up to 2, not to the jury's size (3)"),
        ("count = 2", "count = 0", "jury.seats[1] (professionnel).count: must be 1 or more"),
        ('code = "professionnel"', 'code = "formateur"', "duplicate code"),
        ("external = true", "external = 1", "external: must be true or false"),
        ("quorum = 2", "quorom = 2", "unknown key quorom (did you mean quorum?)"),
        ("external = true", "external = false", "0 external seat(s) of 3 cannot meet"),
    ],
)
def test_bad_jury_values_are_refused_with_their_place(old, new, message):
    assert message in refusal(with_jury(JURY.replace(old, new, 1)))


def test_jury_without_seats_is_refused():
    text = with_jury("[jury]\nsize = 2\nquorum = 2\n")
    assert "jury: missing required key seats" in refusal(text)


def test_jury_loads_and_exports_back_unchanged(app):
    definition = parse_path_definition(with_jury())
    path = load_path(definition).path
    rules = jury_of_path(path.id)
    assert rules is not None
    assert rules.size == 3
    assert rules.seat("professionnel")["count"] == 2
    exported = export_path(path)
    assert "[jury]\n" in exported
    assert "[[jury.seats]]" in exported
    again = parse_path_definition(exported)
    assert again.canonical_sha256() == definition.canonical_sha256()
    db.session.rollback()


def test_shipped_path_declares_the_jury_of_three(app):
    path = load_path_file(shipped_path_file()).path
    rules = jury_of_path(path.id)
    assert rules is not None
    assert rules.size == 3
    assert rules.min_external_share == 50
    assert [(s["code"], s["external"]) for s in rules.seats] == [
        ("formateur", False),
        ("professionnel", True),
        ("financeur", True),
    ]
    db.session.rollback()
