"""The path file's ``[project_grid]``: read in canonical form, refused with a named problem and
the database unchanged, loaded and exported back unchanged."""

from __future__ import annotations

import copy
import tomllib

import pytest
import tomli_w
from sqlalchemy import func

from lms.curriculum.definition import PathDefinitionError, parse_path_definition
from lms.curriculum.services import export_path, load_path
from lms.extensions import db
from lms.projects.grid import grid_of
from tests.assessments.support import assessments_text

GRID = {
    "later_ex_post_months": 9,
    "levels": [
        {"value": 0, "label": "Aucune contribution"},
        {"value": 1, "label": "Faible", "description": "Des intentions."},
        {"value": 2, "label": "Forte"},
    ],
    "dimensions": [
        {
            "code": "sante",
            "title": "Santé",
            "question": "Le projet améliore-t-il la santé ?",
            "indicators": ["Accès aux soins"],
        },
        {
            "code": "lien",
            "title": "Lien social",
            "question": "Crée-t-il des liens ?",
            "indicators": ["Personnes impliquées", "Entraide"],
        },
    ],
    "domains": [{"code": "alimentation", "title": "Alimentation"}],
    "uses": [{"assessment": "M1-A1", "moment": "ex_ante", "dimensions": ["lien"]}],
}


def with_grid(**changes) -> str:
    """Return the assessments' test path with the grid, ``changes`` applied to it, as TOML."""
    document = tomllib.loads(assessments_text())
    grid = copy.deepcopy(GRID) | changes
    document["project_grid"] = {key: value for key, value in grid.items() if value is not None}
    return tomli_w.dumps(document, multiline_strings=True)


def refusal(text: str) -> str:
    with pytest.raises(PathDefinitionError) as caught:
        parse_path_definition(text, source="essai.toml")
    return str(caught.value)


def project_rows() -> dict[str, int]:
    """Count the rows of every table of the projects' domain and of the paths."""
    names = [name for name in db.metadata.tables if name.startswith("project")]
    return {
        name: db.session.scalar(db.select(func.count()).select_from(db.metadata.tables[name]))
        for name in [*names, "training_paths"]
    }


def test_the_grid_is_read_in_canonical_form():
    grid = parse_path_definition(with_grid()).sections["project_grid"]
    assert grid["later_ex_post_months"] == 9
    assert [level["value"] for level in grid["levels"]] == [0, 1, 2]
    assert grid["dimensions"][1]["indicators"] == ["Personnes impliquées", "Entraide"]
    assert grid["uses"] == [{"assessment": "M1-A1", "moment": "ex_ante", "dimensions": ["lien"]}]


def test_a_path_without_a_grid_hashes_as_before():
    plain = parse_path_definition(assessments_text())
    assert "project_grid" not in plain.sections


def duplicated(key: str, index: int = 0) -> list:
    entries = copy.deepcopy(GRID[key])
    return [*entries, entries[index]]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        # The issue's three: an unknown dimension, the scale out of range, a duplicate code.
        (
            {"uses": [{"assessment": "M1-A1", "dimensions": ["sante", "mobilite"]}]},
            "project_grid.uses[0].dimensions: unknown dimension mobilite",
        ),
        (
            {"levels": [{"value": 0, "label": "Nul"}, {"value": 11, "label": "Trop"}]},
            "project_grid.levels[1].value: 11 is out of the scale's range (0 to 10)",
        ),
        (
            {"levels": [{"value": -1, "label": "Négatif"}, {"value": 2, "label": "Fort"}]},
            "project_grid.levels[0].value: -1 is out of the scale's range (0 to 10)",
        ),
        ({"dimensions": duplicated("dimensions")}, "duplicate code (already used by"),
        ({"domains": duplicated("domains")}, "duplicate code (already used by"),
        ({"levels": duplicated("levels", 1)}, "duplicate value (already used by"),
        # And what else a designer may get wrong.
        (
            {"levels": [{"value": 2, "label": "Fort"}, {"value": 0, "label": "Nul"}]},
            "project_grid.levels: must go from the lowest value to the highest",
        ),
        ({"levels": [{"value": 0, "label": "Seul"}]}, "must have at least two values"),
        (
            {"uses": [{"assessment": "M9-Z9"}]},
            "project_grid.uses[0].assessment: unknown assessment M9-Z9",
        ),
        (
            {"uses": [{"assessment": "M1-A1"}, {"assessment": "M1-A1"}]},
            "duplicate assessment (already used by",
        ),
        (
            {"uses": [{"assessment": "M1-A1", "dimensions": ["lien", "lien"]}]},
            "lien is listed twice",
        ),
        (
            {"uses": [{"assessment": "M1-A1", "moment": "pendant"}]},
            "project_grid.uses[0].moment: must be one of ex_ante, ex_post, ex_post_later",
        ),
        (
            {
                "dimensions": [
                    {"code": "sante", "title": "Santé", "question": "?", "indicators": []}
                ]
            },
            "indicators: must list at least one indicator",
        ),
        ({"later_ex_post_months": 0}, "must be from 1 to 60 months (not 0)"),
        ({"dimensions": None}, "project_grid: missing required key dimensions"),
        ({"scale": [0, 4]}, "unknown key scale"),
    ],
)
def test_a_bad_grid_is_refused_with_its_problem_named(app, changes, message):
    text = with_grid(**changes)
    assert message in refusal(text)
    before = project_rows()
    with pytest.raises(PathDefinitionError):
        load_path(parse_path_definition(text))
    db.session.rollback()
    assert project_rows() == before  # nothing of the path or its grid was written


def test_the_grid_loads_and_exports_back_unchanged(app):
    definition = parse_path_definition(with_grid())
    path = load_path(definition).path
    grid = grid_of(path.id)
    assert grid.later_ex_post_months == 9
    assert [(level.value, level.label) for level in grid.levels][1] == (1, "Faible")
    assert [dimension.code for dimension in grid.dimensions] == ["sante", "lien"]
    (use,) = grid.uses
    assert (use.assessment_code, use.moment, use.dimension_codes) == ("M1-A1", "ex_ante", ["lien"])
    assert use.assessment_title  # kept from the assessment's definition
    again = parse_path_definition(export_path(path))
    assert again.canonical_sha256() == definition.canonical_sha256()
    assert again.sections["project_grid"] == definition.sections["project_grid"]
    db.session.rollback()


def test_the_shipped_path_has_six_dimensions_on_a_scale_of_five_values(app):
    from lms.curriculum.services import load_path_file, shipped_path_file

    grid = grid_of(load_path_file(shipped_path_file()).path.id)
    assert [dimension.code for dimension in grid.dimensions] == [
        "sante",
        "lien_social",
        "environnement",
        "economie_locale",
        "participation",
        "gouvernance",
    ]
    assert [level.value for level in grid.levels] == [0, 1, 2, 3, 4]
    assert all(len(dimension.indicators) >= 2 for dimension in grid.dimensions)
    assert {use.assessment_code for use in grid.uses} >= {"M5-E1", "M8-E1"}
    db.session.rollback()
