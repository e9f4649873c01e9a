"""Loading path definitions into the database, and exporting them back."""

from __future__ import annotations

import pytest

from lms.curriculum.definition import PathDefinitionError, parse_path_definition
from lms.curriculum.graph import topological_order
from lms.curriculum.models import LessonKind, RatingRule, TrainingPath
from lms.curriculum.services import (
    LoadOutcome,
    export_path,
    get_path,
    load_path,
    load_path_file,
    shipped_path_file,
)
from lms.extensions import db
from tests.curriculum.support import VALID_FILE, replaced, row_counts, valid_text
from tests.factories import CohortFactory

SHIPPED_PREREQUISITES = {
    "M1": [],
    "M2": ["M1"],
    "M3": ["M2"],
    "M4": ["M2"],
    "M5": ["M3", "M4"],
    "M6": ["M5"],
    "M7": ["M6"],
    "M8": ["M7"],
}


def load_text(text: str):
    """Parse and load definition text, then commit as a command would."""
    result = load_path(parse_path_definition(text))
    db.session.commit()
    return result


def prerequisites_of(path: TrainingPath) -> dict[str, list[str]]:
    """Map each stored module code to the codes of its prerequisites."""
    return {module.code: [need.code for need in module.prerequisites] for module in path.modules}


def test_load_creates_the_whole_path():
    result = load_text(valid_text())
    path = result.path
    assert result.outcome is LoadOutcome.CREATED
    assert (path.code, path.version, path.rating_rule) == ("parcours-essai", 1, RatingRule.BEST)
    assert path.certifier == "Organisme d'essai"
    assert path.definition_sha256 == parse_path_definition(valid_text()).canonical_sha256()
    assert [(level.value, level.label) for level in path.proficiency_levels][2] == (2, "Acquis")
    assert [(m.code, m.position) for m in path.modules] == [
        ("M1", 1),
        ("M2", 2),
        ("M3", 3),
        ("M4", 4),
    ]
    assert [(b.code, b.position) for b in path.blocks] == [("BC1", 1), ("BC2", 2)]
    assert [(c.code, c.block.code, c.position) for c in path.competencies] == [
        ("C1.1", "BC1", 1),
        ("C1.2", "BC1", 2),
        ("C2.1", "BC2", 1),
    ]
    assert prerequisites_of(path) == {"M1": [], "M2": ["M1"], "M3": ["M1"], "M4": ["M2", "M3"]}
    m2 = path.modules[1]
    assert sorted(c.code for c in m2.competencies) == ["C1.1", "C1.2"]
    assert [(lesson.position, lesson.kind, lesson.is_required) for lesson in m2.lessons] == [
        (1, LessonKind.LINK, False),
        (2, LessonKind.PAGE, True),
    ]
    assert m2.lessons[0].url == "https://example.org/ressource"


def test_loaded_prerequisites_give_the_chronology():
    path = load_text(valid_text()).path
    assert topological_order(prerequisites_of(path)) == ["M1", "M2", "M3", "M4"]


def test_load_flushes_but_does_not_commit():
    load_path(parse_path_definition(valid_text()))
    assert get_path("parcours-essai") is not None
    db.session.rollback()
    assert get_path("parcours-essai") is None


def test_reloading_the_same_definition_writes_nothing():
    first = load_text(valid_text()).path
    counts, loaded_at = row_counts(), first.loaded_at
    again = load_text(valid_text())
    assert again.outcome is LoadOutcome.UNCHANGED
    assert again.path.id == first.id
    assert again.path.loaded_at == loaded_at
    assert row_counts() == counts


def test_changed_definition_replaces_a_version_nobody_follows():
    load_text(valid_text())
    text = replaced(valid_text(), 'title = "Ouvrir"', 'title = "Ouvrir grand"')
    text = replaced(text, 'prerequisites = ["M3", "M2"]', 'prerequisites = ["M3"]')
    result = load_text(text)
    assert result.outcome is LoadOutcome.REPLACED
    assert result.path.modules[0].title == "Ouvrir grand"
    assert prerequisites_of(result.path)["M4"] == ["M3"]
    assert db.session.scalars(db.select(TrainingPath)).all() == [result.path]
    assert row_counts()["module_prerequisites"] == 3
    assert result.path.definition_sha256 == parse_path_definition(text).canonical_sha256()


def test_changed_definition_of_a_followed_version_is_refused():
    path = load_text(valid_text()).path
    CohortFactory(path=path)
    counts = row_counts()
    changed = replaced(valid_text(), 'title = "Ouvrir"', 'title = "Ouvrir grand"')
    with pytest.raises(PathDefinitionError) as caught:
        load_path(parse_path_definition(changed))
    message = str(caught.value)
    assert "parcours-essai version 1 is already in use (cohorts)" in message
    assert "new version (version = 2)" in message
    db.session.rollback()
    assert row_counts() == counts
    assert get_path("parcours-essai").modules[0].title == "Ouvrir"


def test_same_definition_of_a_followed_version_is_unchanged():
    path = load_text(valid_text()).path
    CohortFactory(path=path)
    assert load_text(valid_text()).outcome is LoadOutcome.UNCHANGED


def test_new_version_sits_beside_the_followed_one():
    first = load_text(valid_text()).path
    CohortFactory(path=first)
    second = load_text(replaced(valid_text(), "version = 1", "version = 2"))
    assert second.outcome is LoadOutcome.CREATED
    assert get_path("parcours-essai") == second.path
    assert get_path("parcours-essai", 1) == first
    assert get_path("parcours-essai", 3) is None
    assert get_path("autre-parcours") is None


def test_export_loads_back_to_the_same_definition():
    path = load_text(valid_text()).path
    exported = parse_path_definition(export_path(path))
    assert exported == parse_path_definition(valid_text())
    assert exported.canonical_sha256() == path.definition_sha256
    assert load_text(export_path(path)).outcome is LoadOutcome.UNCHANGED


def test_load_path_file_names_the_file_in_errors(tmp_path):
    assert load_path_file(VALID_FILE).outcome is LoadOutcome.CREATED
    broken = tmp_path / "casse.toml"
    broken.write_text(replaced(valid_text(), 'mode = "blended"', 'mode = "remote"'))
    with pytest.raises(PathDefinitionError, match=r"casse\.toml: modules\[1\] \(M2\)\.mode"):
        load_path_file(broken)


def test_load_path_file_refuses_a_missing_or_unreadable_file(tmp_path):
    with pytest.raises(PathDefinitionError, match=r"absent\.toml: no such file"):
        load_path_file(tmp_path / "absent.toml")
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(valid_text().encode("latin-1", errors="replace"))
    with pytest.raises(PathDefinitionError, match=r"latin1\.toml: cannot read the file"):
        load_path_file(latin1)
    with pytest.raises(PathDefinitionError, match="cannot read the file"):
        load_path_file(tmp_path)


def test_shipped_path_loads_with_the_designed_chronology():
    file = shipped_path_file()
    if not file.exists():
        pytest.skip(f"the shipped path file {file.name} is not written yet")
    result = load_path_file(file)
    path = result.path
    assert result.outcome is LoadOutcome.CREATED
    assert path.code == "entrepreneur-bien-vivre"
    assert prerequisites_of(path) == SHIPPED_PREREQUISITES
    assert [block.code for block in path.blocks] == ["BC1", "BC2", "BC3", "BC4"]
    exported = parse_path_definition(export_path(path))
    assert exported == parse_path_definition(file.read_text(encoding="utf-8"))
    assert exported.canonical_sha256() == path.definition_sha256
