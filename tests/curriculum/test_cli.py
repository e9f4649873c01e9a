"""Commands ``lms load-path`` and ``lms export-path``."""

from __future__ import annotations

from lms.curriculum.definition import parse_path_definition
from lms.curriculum.services import get_path
from lms.extensions import db
from tests.curriculum.support import VALID_FILE, replaced, row_counts, valid_text
from tests.factories import CohortFactory


def load(runner, file):
    """Run ``lms load-path FILE``, then drop anything the command did not commit."""
    result = runner.invoke(args=["load-path", str(file)])
    db.session.rollback()
    return result


def write(tmp_path, text, name="parcours.toml"):
    """Write definition text to a file and return its path."""
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    return file


def test_load_path_commits_and_reports(runner):
    result = load(runner, VALID_FILE)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Loaded parcours-essai v1: 4 modules, 2 blocks, 3 competencies (created)\n"
    )
    assert get_path("parcours-essai") is not None


def test_load_path_twice_is_unchanged(runner):
    load(runner, VALID_FILE)
    counts = row_counts()
    result = load(runner, VALID_FILE)
    assert result.exit_code == 0
    assert result.stdout.endswith("(unchanged)\n")
    assert row_counts() == counts


def test_load_path_replaces_an_unfollowed_version(runner, tmp_path):
    load(runner, VALID_FILE)
    file = write(tmp_path, replaced(valid_text(), 'title = "Ouvrir"', 'title = "Ouvrir grand"'))
    result = load(runner, file)
    assert result.exit_code == 0
    assert result.stdout.endswith("(replaced)\n")
    assert get_path("parcours-essai").modules[0].title == "Ouvrir grand"


def test_refused_file_changes_nothing(runner, tmp_path):
    load(runner, VALID_FILE)
    counts = row_counts()
    text = replaced(valid_text(), 'title = "Ouvrir"', 'title = "Ouvrir grand"')
    file = write(tmp_path, replaced(text, 'prerequisites = ["M1"]', 'prerequisites = ["M9"]'))
    result = load(runner, file)
    assert result.exit_code == 1
    assert "modules[1] (M2).prerequisites: unknown module M9" in result.stderr
    assert str(file) in result.stderr
    assert result.stdout == ""
    assert row_counts() == counts
    assert get_path("parcours-essai").modules[0].title == "Ouvrir"


def test_refused_first_load_leaves_the_database_empty(runner, tmp_path):
    file = write(tmp_path, replaced(valid_text(), "version = 1", "version = "))
    result = load(runner, file)
    assert result.exit_code == 1
    assert "invalid TOML" in result.stderr
    assert set(row_counts().values()) == {0}


def test_changing_a_followed_version_is_refused(runner, tmp_path):
    load(runner, VALID_FILE)
    CohortFactory(path=get_path("parcours-essai"))
    counts = row_counts()
    file = write(tmp_path, replaced(valid_text(), 'title = "Ouvrir"', 'title = "Ouvrir grand"'))
    result = load(runner, file)
    assert result.exit_code == 1
    assert "give the changed definition a new version (version = 2)" in result.stderr
    assert row_counts() == counts
    assert get_path("parcours-essai").modules[0].title == "Ouvrir"


def test_missing_file_is_a_clear_error(runner, tmp_path):
    result = load(runner, tmp_path / "absent.toml")
    assert result.exit_code == 1
    assert "absent.toml: no such file" in result.stderr


def test_export_path_writes_to_stdout(runner):
    load(runner, VALID_FILE)
    result = runner.invoke(args=["export-path", "parcours-essai"])
    assert result.exit_code == 0
    assert parse_path_definition(result.stdout) == parse_path_definition(valid_text())


def test_export_path_writes_a_file_that_loads_unchanged(runner, tmp_path):
    load(runner, VALID_FILE)
    output = tmp_path / "export.toml"
    result = runner.invoke(args=["export-path", "parcours-essai", "--version", "1", "-o", output])
    assert result.exit_code == 0
    assert result.stdout == f"Exported parcours-essai v1 to {output}\n"
    assert load(runner, output).stdout.endswith("(unchanged)\n")


def test_export_path_picks_the_version(runner, tmp_path):
    load(runner, VALID_FILE)
    load(runner, write(tmp_path, replaced(valid_text(), "version = 1", "version = 2")))
    assert "version = 2\n" in runner.invoke(args=["export-path", "parcours-essai"]).stdout
    older = runner.invoke(args=["export-path", "parcours-essai", "--version", "1"])
    assert "version = 1\n" in older.stdout


def test_export_path_refuses_an_unknown_code_or_version(runner):
    load(runner, VALID_FILE)
    unknown = runner.invoke(args=["export-path", "autre"])
    assert unknown.exit_code == 1
    assert "no training path with code autre" in unknown.stderr
    missing = runner.invoke(args=["export-path", "parcours-essai", "--version", "4"])
    assert missing.exit_code == 1
    assert "no version 4 of training path parcours-essai" in missing.stderr
    invalid = runner.invoke(args=["export-path", "parcours-essai", "--version", "0"])
    assert invalid.exit_code == 2


def test_export_path_reports_an_unwritable_output(runner, tmp_path):
    load(runner, VALID_FILE)
    output = tmp_path / "absent-folder" / "export.toml"
    result = runner.invoke(args=["export-path", "parcours-essai", "-o", output])
    assert result.exit_code == 1
    assert "cannot write" in result.stderr
