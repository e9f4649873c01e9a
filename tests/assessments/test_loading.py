"""The path-definition file with rubrics and assessments: validation, loading, export."""

from __future__ import annotations

import pytest

from lms.assessments.models import AssessmentKind, QuestionKind, QuizReview
from lms.assessments.registry import max_score_of
from lms.curriculum.definition import PathDefinitionError, parse_path_definition
from lms.curriculum.services import LoadOutcome, export_path, load_path, load_path_file
from lms.extensions import db
from tests.assessments.support import all_row_counts, assessments_document, assessments_text
from tests.curriculum.support import replaced, to_toml, valid_text
from tests.factories import CohortFactory, SubmissionFactory


def load_text(text: str):
    """Parse and load definition text, then commit as a command would."""
    result = load_path(parse_path_definition(text))
    db.session.commit()
    return result


def assessment(path, code: str):
    """Return the stored assessment with this code."""
    return next(a for module in path.modules for a in module.assessments if a.code == code)


def test_load_writes_rubrics_and_assessments():
    path = load_text(assessments_text()).path
    assert [rubric.code for rubric in path.rubrics] == ["R-OBS", "R-FIN"]
    criterion = path.rubrics[0].criteria[0]
    assert (criterion.position, criterion.competency.code) == (1, "C1.1")
    assert [(lv.position, lv.points, lv.proficiency) for lv in criterion.levels] == [
        (1, 0, 1),
        (2, 2, 1),
        (3, 4, 2),
    ]
    assert {m.code: [a.code for a in m.assessments] for m in path.modules} == {
        "M1": ["M1-A1"],
        "M2": ["M2-A1"],
        "M3": [],
        "M4": ["M4-A1", "M4-A2"],
    }


def test_load_writes_each_kind_settings():
    path = load_text(assessments_text()).path
    quiz = assessment(path, "M1-A1")
    assert (quiz.kind, quiz.rubric, quiz.max_attempts, quiz.time_limit_minutes) == (
        AssessmentKind.QUIZ,
        None,
        3,
        15,
    )
    assert (quiz.pass_mark_percent, quiz.review, quiz.shuffle_options) == (
        60,
        QuizReview.AFTER_DEADLINE,
        True,
    )
    assert [(q.kind, q.points) for q in quiz.questions] == [
        (QuestionKind.SINGLE, 1),
        (QuestionKind.MULTIPLE, 2),
    ]
    assert [o.is_correct for o in quiz.questions[1].options] == [True, True, False]
    assert max_score_of(quiz) == 3
    work = assessment(path, "M2-A1")
    assert (work.rubric.code, work.due_days, work.extensions, work.max_file_mb) == (
        "R-OBS",
        21,
        ["pdf", "png"],
        5,
    )
    assert (work.accepts_text, work.accepts_files, max_score_of(work)) == (True, True, 6)
    defence = assessment(path, "M4-A1")
    assert (defence.kind, defence.rubric.code, defence.weight, max_score_of(defence)) == (
        AssessmentKind.EVALUATION,
        "R-FIN",
        3,
        7,
    )
    assert assessment(path, "M4-A2").is_required is False


def test_export_loads_back_unchanged():
    path = load_text(assessments_text()).path
    exported = export_path(path)
    assert "  [[modules.assessments]]" in exported
    assert exported.index("[[rubrics]]") < exported.index("[[modules]]")
    definition = parse_path_definition(exported)
    assert definition == parse_path_definition(assessments_text())
    assert definition.canonical_sha256() == path.definition_sha256
    counts = all_row_counts()
    assert load_text(exported).outcome is LoadOutcome.UNCHANGED
    assert all_row_counts() == counts


def test_reloading_the_same_file_writes_nothing():
    first = load_text(assessments_text()).path
    counts = all_row_counts()
    again = load_text(assessments_text())
    assert (again.outcome, again.path.id) == (LoadOutcome.UNCHANGED, first.id)
    assert all_row_counts() == counts


def test_assessments_count_in_the_hash():
    with_assessments = parse_path_definition(assessments_text())
    changed = replaced(assessments_text(), 'prompt = "Prêt ?"', 'prompt = "Prêt·e ?"')
    assert parse_path_definition(changed).canonical_sha256() != with_assessments.canonical_sha256()
    plain = parse_path_definition(valid_text()).to_document()
    assert "rubrics" not in plain  # a path without assessments hashes as before
    assert all("assessments" not in module for module in plain["modules"])


def test_changed_quiz_replaces_a_version_nobody_follows():
    load_text(assessments_text())
    result = load_text(replaced(assessments_text(), "pass_mark = 60", "pass_mark = 70"))
    assert result.outcome is LoadOutcome.REPLACED
    assert assessment(result.path, "M1-A1").pass_mark_percent == 70
    assert all_row_counts()["assessments"] == 4
    assert all_row_counts()["question_options"] == 7


def test_changed_quiz_of_a_followed_version_is_refused():
    path = load_text(assessments_text()).path
    CohortFactory(path=path)
    counts = all_row_counts()
    changed = replaced(assessments_text(), "pass_mark = 60", "pass_mark = 70")
    with pytest.raises(PathDefinitionError) as caught:
        load_path(parse_path_definition(changed))
    assert "parcours-essai version 1 is already in use (cohorts)" in str(caught.value)
    db.session.rollback()
    assert all_row_counts() == counts
    assert assessment(path, "M1-A1").pass_mark_percent == 60


def _rubric(index):
    return lambda document: document["rubrics"][index]


def _criterion(rubric, criterion):
    return lambda document: document["rubrics"][rubric]["criteria"][criterion]


def _assessment(module, index):
    return lambda document: document["modules"][module]["assessments"][index]


def _question(index):
    return lambda document: document["modules"][0]["assessments"][0]["questions"][index]


def _set(target, key, value):
    return lambda document: target(document).__setitem__(key, value)


def _pop(target, key):
    return lambda document: target(document).pop(key)


LEVEL = {"title": "Expert", "descriptor": "Au-delà.", "points": 9, "proficiency": 2}
M1A1 = "modules[0] (M1).assessments[0] (M1-A1)"
M2A1 = "modules[1] (M2).assessments[0] (M2-A1)"
R_OBS = "rubrics[0] (R-OBS)"
REFUSALS = {
    "unknown competency": (
        _set(_criterion(0, 1), "competency", "C9"),
        f"{R_OBS}.criteria[1].competency: unknown competency C9",
    ),
    "levels not increasing": (
        lambda d: d["rubrics"][0]["criteria"][0]["levels"][2].__setitem__("points", 2),
        f"{R_OBS}.criteria[0].levels[2].points: must be more than the previous level's points (2): "
        "levels go from the lowest to the highest",
    ),
    "negative points": (
        lambda d: d["rubrics"][0]["criteria"][0]["levels"][0].__setitem__("points", -1),
        f"{R_OBS}.criteria[0].levels[0].points: must be 0 or more",
    ),
    "two levels": (
        lambda d: d["rubrics"][0]["criteria"][0]["levels"].pop(),
        f"{R_OBS}.criteria[0].levels: needs 3 to 5 levels (found 2)",
    ),
    "six levels": (
        lambda d: d["rubrics"][0]["criteria"][0]["levels"].extend(
            {**LEVEL, "points": points} for points in (5, 6, 7)
        ),
        f"{R_OBS}.criteria[0].levels: needs 3 to 5 levels (found 6)",
    ),
    "proficiency off the scale": (
        lambda d: d["rubrics"][0]["criteria"][0]["levels"][0].__setitem__("proficiency", 7),
        f"{R_OBS}.criteria[0].levels[0].proficiency: must be a level of the scale (not 7)",
    ),
    "proficiency going down": (
        lambda d: d["rubrics"][0]["criteria"][0]["levels"].append({**LEVEL, "proficiency": 1}),
        f"{R_OBS}.criteria[0].levels[3].proficiency: must not be below the previous level's "
        "proficiency (2)",
    ),
    "criterion without levels": (
        _pop(_criterion(0, 0), "levels"),
        f"{R_OBS}.criteria[0]: missing required key levels",
    ),
    "unknown level key": (
        lambda d: d["rubrics"][0]["criteria"][0]["levels"][0].__setitem__("point", 1),
        f"{R_OBS}.criteria[0].levels[0]: unknown key point (did you mean points?)",
    ),
    "duplicate rubric": (
        _set(_rubric(1), "code", "R-OBS"),
        "rubrics[1] (R-OBS): duplicate code (already used by rubrics[0] (R-OBS))",
    ),
    "unknown rubric": (
        _set(_assessment(1, 0), "rubric", "R-M9"),
        f"{M2A1}.rubric: unknown rubric R-M9",
    ),
    "rubric on a quiz": (
        _set(_assessment(0, 0), "rubric", "R-OBS"),
        f"{M1A1}: rubric does not apply to a quiz (only to: assignment, evaluation)",
    ),
    "questions on an assignment": (
        _set(_assessment(1, 0), "questions", []),
        f"{M2A1}: questions does not apply to a assignment (only to: quiz)",
    ),
    "assignment without rubric": (
        _pop(_assessment(1, 0), "rubric"),
        f"{M2A1}: missing required key rubric",
    ),
    "evaluation without rubric": (
        _pop(_assessment(3, 0), "rubric"),
        "modules[3] (M4).assessments[0] (M4-A1): missing required key rubric",
    ),
    "quiz without questions": (
        _pop(_assessment(0, 0), "questions"),
        f"{M1A1}: missing required key questions",
    ),
    "quiz with an empty list of questions": (
        _set(_assessment(0, 0), "questions", []),
        f"{M1A1}.questions: must have at least one entry",
    ),
    "single choice with two correct options": (
        lambda d: d["modules"][0]["assessments"][0]["questions"][0]["options"][1].__setitem__(
            "correct", True
        ),
        f"{M1A1}.questions[0]: a single-choice question needs exactly one correct option (found 2)",
    ),
    "single choice without a correct option": (
        lambda d: d["modules"][0]["assessments"][0]["questions"][0]["options"][0].__setitem__(
            "correct", False
        ),
        f"{M1A1}.questions[0]: a single-choice question needs exactly one correct option (found 0)",
    ),
    "multiple choice without a correct option": (
        _set(_question(1), "options", [{"text": "Non"}, {"text": "Jamais"}]),
        f"{M1A1}.questions[1]: a multiple-choice question needs at least one correct option",
    ),
    "one option": (
        _set(_question(0), "options", [{"text": "Oui", "correct": True}]),
        f"{M1A1}.questions[0].options: a question needs at least two options",
    ),
    "question worth nothing": (
        _set(_question(0), "points", 0),
        f"{M1A1}.questions[0].points: must be 1 or more",
    ),
    "bad question kind": (
        _set(_question(0), "kind", "open"),
        f"{M1A1}.questions[0].kind: must be one of single, multiple (not open)",
    ),
    "pass mark above 100": (
        _set(_assessment(0, 0), "pass_mark", 120),
        f"{M1A1}.pass_mark: must be a percentage from 0 to 100 (not 120)",
    ),
    "negative pass mark": (
        _set(_assessment(0, 0), "pass_mark", -5),
        f"{M1A1}.pass_mark: must be a percentage from 0 to 100 (not -5)",
    ),
    "negative weight": (_set(_assessment(0, 0), "weight", -1), f"{M1A1}.weight: must be 0 or more"),
    "no attempt": (
        _set(_assessment(0, 0), "max_attempts", 0),
        f"{M1A1}.max_attempts: must be 1 or more",
    ),
    "negative due days": (
        _set(_assessment(1, 0), "due_days", -1),
        f"{M2A1}.due_days: must be 0 or more",
    ),
    "no time": (
        _set(_assessment(0, 0), "time_limit_minutes", 0),
        f"{M1A1}.time_limit_minutes: must be 1 or more",
    ),
    "duplicate assessment code": (
        _set(_assessment(3, 0), "code", "M1-A1"),
        f"modules[3] (M4).assessments[0] (M1-A1): duplicate code (already used by {M1A1})",
    ),
    "unknown kind": (
        _set(_assessment(0, 0), "kind", "exam"),
        f"{M1A1}.kind: must be one of quiz, assignment, evaluation (not exam)",
    ),
    "unknown assessment key": (
        _set(_assessment(0, 0), "pass_mrk", 50),
        f"{M1A1}: unknown key pass_mrk (did you mean pass_mark?)",
    ),
    "nothing to hand in": (
        lambda d: d["modules"][1]["assessments"][0].update(accepts_text=False, accepts_files=False),
        f"{M2A1}: an assignment accepts text, files or both",
    ),
    "files without extensions": (
        _set(_assessment(1, 0), "allowed_extensions", []),
        f"{M2A1}.allowed_extensions: files are accepted: list their extensions",
    ),
    "extension with a dot": (
        _set(_assessment(1, 0), "allowed_extensions", [".pdf"]),
        f"{M2A1}.allowed_extensions: .pdf is not a file extension "
        "(lower-case letters and digits, no dot)",
    ),
    "no file size": (
        _set(_assessment(1, 0), "max_file_mb", 0),
        f"{M2A1}.max_file_mb: must be 1 or more",
    ),
    "assessments not tables": (
        lambda d: d["modules"][2].__setitem__("assessments", "M3-A1"),
        "modules[2] (M3).assessments: must be an array of tables",
    ),
    "rubrics not tables": (
        lambda d: d.__setitem__("rubrics", {"code": "R"}),
        "rubrics: must be an array of tables",
    ),
}


@pytest.mark.parametrize(("change", "expected"), REFUSALS.values(), ids=REFUSALS.keys())
def test_refusal_names_the_problem_and_changes_nothing(change, expected, tmp_path):
    load_text(assessments_text())
    counts = all_row_counts()
    document = assessments_document()
    document["path"]["version"] = 2  # would be a new version, were it valid
    change(document)
    file = tmp_path / "essai.toml"
    file.write_text(to_toml(document), encoding="utf-8")
    with pytest.raises(PathDefinitionError) as caught:
        load_path_file(file)
    assert f"{file}: {expected}" in str(caught.value).splitlines()
    db.session.rollback()
    assert all_row_counts() == counts


def test_every_problem_is_reported_at_once():
    document = assessments_document()
    document["modules"][1]["assessments"][0]["rubric"] = "R-M9"
    document["rubrics"][0]["criteria"][1]["competency"] = "C9"
    document["modules"][0]["assessments"][0]["pass_mark"] = 101
    with pytest.raises(PathDefinitionError) as caught:
        parse_path_definition(to_toml(document), source="essai.toml")
    assert len(caught.value.problems) == 3


def test_changed_definition_with_learner_work_is_refused_even_without_a_cohort():
    path = load_text(assessments_text()).path
    SubmissionFactory(assessment=assessment(path, "M2-A1"))
    counts = all_row_counts()
    changed = replaced(assessments_text(), "pass_mark = 60", "pass_mark = 70")
    with pytest.raises(PathDefinitionError) as caught:
        load_path(parse_path_definition(changed))
    assert "parcours-essai version 1 is already in use (submissions)" in str(caught.value)
    db.session.rollback()
    assert all_row_counts() == counts
