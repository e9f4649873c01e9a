"""The path file's ``[positioning]`` and the scale's descriptors: read in canonical form, refused
with a named problem and the database unchanged, loaded and exported back unchanged."""

from __future__ import annotations

import tomllib

import pytest
import tomli_w
from sqlalchemy import func

from lms.curriculum.definition import PathDefinitionError, parse_path_definition
from lms.curriculum.models import ProficiencyLevel
from lms.curriculum.services import export_path, load_path
from lms.extensions import db
from lms.quality.positioning.models import PathPositioning
from lms.quality.positioning.quiz import path_rules
from tests.assessments.support import assessments_text

SECTION = {"entry_quiz": "M1-A1", "instructions": "Situez-vous **sans crainte**."}


def with_positioning(section=SECTION, describe: bool = False) -> str:
    """Return the assessments' test path with ``section`` as ``[positioning]``, as TOML."""
    document = tomllib.loads(assessments_text())
    if section is not None:
        document["positioning"] = section
    if describe:
        for level in document["scale"]:
            level["description"] = f"Ce que veut dire le niveau {level['value']}."
    return tomli_w.dumps(document, multiline_strings=True)


def refusal(text: str) -> str:
    with pytest.raises(PathDefinitionError) as caught:
        parse_path_definition(text, source="essai.toml")
    return str(caught.value)


def rows() -> dict[str, int]:
    """Count the rows of the paths, their scales and their positioning rules."""
    return {
        name: db.session.scalar(db.select(func.count()).select_from(db.metadata.tables[name]))
        for name in ("training_paths", "proficiency_levels", "path_positionings")
    }


def test_the_section_is_read_in_canonical_form():
    section = parse_path_definition(with_positioning()).sections["positioning"]
    assert section == SECTION
    without_quiz = parse_path_definition(with_positioning({"instructions": "Lisez."}))
    assert without_quiz.sections["positioning"] == {"instructions": "Lisez."}


def test_a_path_without_the_section_or_descriptors_hashes_as_before():
    plain = parse_path_definition(assessments_text())
    assert "positioning" not in plain.sections
    again = parse_path_definition(with_positioning(None))
    assert again.canonical_sha256() == plain.canonical_sha256()
    assert all(level.description is None for level in plain.scale)
    described = parse_path_definition(with_positioning(None, describe=True))
    assert described.canonical_sha256() != plain.canonical_sha256()


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            {"entry_quiz": "M9-Q9", "instructions": "Lisez."},
            "positioning.entry_quiz: unknown assessment M9-Q9",
        ),
        (
            {"entry_quiz": "M2-A1", "instructions": "Lisez."},
            "positioning.entry_quiz: M2-A1 is not a quiz: the entry quiz must be one",
        ),
        (
            {"entry_quiz": "M4-A1", "instructions": "Lisez."},
            "positioning.entry_quiz: M4-A1 is not a quiz",
        ),
        ({"entry_quiz": 3, "instructions": "Lisez."}, "positioning.entry_quiz: must be a string"),
        ({"entry_quiz": "", "instructions": "Lisez."}, "positioning.entry_quiz"),
        (
            {"instructions": "   \n"},
            "positioning.instructions: must say what the learner reads before positioning",
        ),
        ({"entry_quiz": "M1-A1"}, "positioning: missing required key instructions"),
        ({"instructions": "Lisez.", "quizz": "M1-A1"}, "positioning: unknown key quizz"),
        ("M1-A1", "positioning: must be a table"),
    ],
)
def test_a_bad_section_is_refused_with_its_problem_named(app, section, message):
    text = with_positioning(section)
    assert message in refusal(text)
    before = rows()
    with pytest.raises(PathDefinitionError):
        load_path(parse_path_definition(text))
    db.session.rollback()
    assert rows() == before  # nothing of the path or its positioning was written


def test_a_description_of_the_scale_must_be_text():
    document = tomllib.loads(assessments_text())
    document["scale"][1]["description"] = 4
    assert "scale[1].description: must be a string" in refusal(tomli_w.dumps(document))


def test_the_section_and_descriptors_load_and_export_back_unchanged(app):
    definition = parse_path_definition(with_positioning(describe=True))
    path = load_path(definition).path
    stored = db.session.get(PathPositioning, path.id)
    assert (stored.entry_quiz_code, stored.instructions) == ("M1-A1", SECTION["instructions"])
    rules = path_rules(path.id)
    assert rules.quiz is not None
    assert rules.quiz.code == "M1-A1"
    levels = db.session.scalars(
        db.select(ProficiencyLevel.description).filter_by(path_id=path.id)
    ).all()
    assert all(text.startswith("Ce que veut dire") for text in levels)
    again = parse_path_definition(export_path(path))
    assert again.canonical_sha256() == definition.canonical_sha256()
    assert again.sections["positioning"] == SECTION
    db.session.rollback()


def test_the_shipped_path_declares_its_optional_weightless_entry_quiz(app):
    from lms.assessments.models import Assessment
    from lms.curriculum.services import load_path_file, shipped_path_file

    path = load_path_file(shipped_path_file()).path
    assert path.version == 6
    rules = path_rules(path.id)
    assert rules.quiz is not None
    assert rules.quiz.title == "Quiz de positionnement"
    assert "Aucun prérequis" in rules.instructions
    quiz = db.session.get(Assessment, rules.quiz.id)
    assert (quiz.is_required, quiz.weight, quiz.rubric_id) == (False, 0, None)
    assert all(level.description for level in path.proficiency_levels)
    db.session.rollback()
