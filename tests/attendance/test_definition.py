"""The path file's ``[attendance]`` and ``[modules.attendance]``: read, refused, exported."""

from __future__ import annotations

import pytest

from lms.attendance.models import ModuleAttendance, PathAttendance
from lms.curriculum.definition import PathDefinitionError, parse_path_definition
from lms.curriculum.services import export_path, load_path, load_path_file, shipped_path_file
from lms.extensions import db
from tests.curriculum.support import to_toml, valid_document


def with_attendance(path=None, **modules) -> str:
    """Return the small valid definition with these rules (``M1={...}``) as TOML text."""
    document = valid_document()
    if path is not None:
        document["attendance"] = path
    for module in document["modules"]:
        if module["code"] in modules:
            module["attendance"] = modules[module["code"]]
    return to_toml(document)


def refusal(text: str) -> str:
    with pytest.raises(PathDefinitionError) as caught:
        parse_path_definition(text, source="essai.toml")
    return str(caught.value)


def test_the_rules_are_read_in_canonical_form():
    definition = parse_path_definition(
        with_attendance(
            {"minimum": 80},
            M1={"minimum": 75, "remote_hours": 3},
            M2={"remote_hours": 0},
        )
    )
    assert definition.sections["attendance"] == {"minimum": 80}
    extra = {module.code: module.extra.get("attendance") for module in definition.modules}
    assert extra["M1"] == {"minimum": 75, "remote_hours": 3}
    assert extra["M2"] is None  # remote hours of 0 are the default, left out


def test_a_path_without_rules_hashes_as_before():
    plain = parse_path_definition(with_attendance())
    assert "attendance" not in plain.sections
    assert (
        plain.canonical_sha256()
        == parse_path_definition(to_toml(valid_document())).canonical_sha256()
    )


@pytest.mark.parametrize(
    ("path", "modules", "message"),
    [
        ({"minimum": 0}, {}, "attendance.minimum: must be a percentage from 1 to 100 (not 0)"),
        ({"minimum": 120}, {}, "attendance.minimum: must be a percentage from 1 to 100 (not 120)"),
        ({}, {}, "attendance: missing required key minimum"),
        ({"minimum": "80 %"}, {}, "attendance.minimum"),
        ({"minimun": 80}, {}, "unknown key minimun (did you mean minimum?)"),
        (None, {"M1": {"minimum": 101}}, "must be a percentage from 1 to 100 (not 101)"),
        (None, {"M1": {"remote_hours": 8}}, "8 remote hours exceed the module's 7 hours"),
        (None, {"M1": {"remote_hours": -1}}, "remote_hours: must be 0 or more"),
        (None, {"M1": {"remote": 2}}, "unknown key remote"),
    ],
)
def test_bad_values_are_refused_and_named(path, modules, message):
    text = refusal(with_attendance(path, **modules))
    assert message in text
    assert text.startswith("essai.toml")


def test_a_module_refusal_names_the_module():
    assert "M1" in refusal(with_attendance(None, M1={"remote_hours": 8}))


def test_the_rules_load_and_export_back_unchanged(app):
    definition = parse_path_definition(
        with_attendance(
            {"minimum": 80}, M1={"minimum": 75, "remote_hours": 3}, M2={"remote_hours": 7}
        )
    )
    path = load_path(definition).path
    rules = db.session.scalar(db.select(PathAttendance).filter_by(path_id=path.id))
    assert rules.minimum_percent == 80
    modules = {
        row.module.code: (row.minimum_percent, row.remote_hours)
        for row in db.session.scalars(db.select(ModuleAttendance))
    }
    assert modules == {"M1": (75, 3), "M2": (None, 7)}
    exported = export_path(path)
    assert "[attendance]\nminimum = 80\n" in exported
    again = parse_path_definition(exported)
    assert again.canonical_sha256() == definition.canonical_sha256()
    assert again.sections["attendance"] == {"minimum": 80}
    db.session.rollback()


def test_the_shipped_path_asks_80_percent_and_credits_remote_hours(app):
    path = load_path_file(shipped_path_file()).path
    rules = db.session.scalar(db.select(PathAttendance).filter_by(path_id=path.id))
    assert rules.minimum_percent == 80
    modules = {
        row.module.code: (row.minimum_percent, row.remote_hours)
        for row in db.session.scalars(db.select(ModuleAttendance))
    }
    assert modules["M3"][0] == 80
    assert modules["M5"][0] == 80
    assert all(hours >= 0 for _minimum, hours in modules.values())
    assert sum(hours for _minimum, hours in modules.values()) > 0
    exported = export_path(path)
    assert parse_path_definition(exported).sections["attendance"] == {"minimum": 80}
    db.session.rollback()
