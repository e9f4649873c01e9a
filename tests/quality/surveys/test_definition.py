"""The path file's ``[[surveys]]``: read in canonical form, refused with a named problem and the
database unchanged, loaded and exported back unchanged; the shipped path's four surveys."""

from __future__ import annotations

import copy
import tomllib

import pytest
import tomli_w
from sqlalchemy import func

from lms.curriculum.definition import PathDefinitionError, parse_path_definition
from lms.curriculum.services import export_path, load_path
from lms.extensions import db
from lms.quality.surveys.models import Survey, SurveyKind
from tests.assessments.support import assessments_text

SCALE = ["Pas du tout", "Plutôt non", "Plutôt oui", "Tout à fait"]
SURVEY = {
    "code": "module-a-chaud",
    "kind": "module_hot",
    "title": "Votre avis sur le module",
    "introduction": "Trois minutes.",
    "anonymous": True,
    "scale": SCALE,
    "questions": [
        {"code": "objectifs", "kind": "scale", "text": "Objectifs atteints ?"},
        {
            "code": "rythme",
            "kind": "choice",
            "text": "Le rythme :",
            "choices": ["Lent", "Adapté", "Rapide"],
        },
        {"code": "avis", "kind": "text", "text": "Commentaires :", "required": False},
    ],
}
COLD = {
    "code": "a-froid",
    "kind": "path_cold",
    "title": "Trois mois après",
    "scale": SCALE,
    "questions": [{"code": "utile", "kind": "scale", "text": "Utile ?"}],
}


def with_surveys(*surveys) -> str:
    document = tomllib.loads(assessments_text())
    document["surveys"] = [
        {key: value for key, value in survey.items() if value is not None} for survey in surveys
    ]
    return tomli_w.dumps(document, multiline_strings=True)


def changed(base=SURVEY, **changes) -> dict:
    return copy.deepcopy(base) | changes


def question(**changes) -> dict:
    return {"code": "q", "kind": "scale", "text": "?"} | changes


def refusal(text: str) -> str:
    with pytest.raises(PathDefinitionError) as caught:
        parse_path_definition(text, source="essai.toml")
    return str(caught.value)


def survey_rows() -> dict[str, int]:
    names = [name for name in db.metadata.tables if name.startswith("survey")]
    return {
        name: db.session.scalar(db.select(func.count()).select_from(db.metadata.tables[name]))
        for name in [*names, "training_paths"]
    }


def test_surveys_are_read_in_canonical_form_with_defaults():
    surveys = parse_path_definition(with_surveys(SURVEY, COLD)).sections["surveys"]
    hot, cold = surveys
    assert hot["anonymous"] is True
    assert "delay_days" not in hot
    assert hot["questions"][0]["required"] is True  # the default
    assert hot["questions"][1]["choices"] == ["Lent", "Adapté", "Rapide"]
    assert cold["delay_days"] == 90  # the default of an « à froid » survey
    assert cold["anonymous"] is False


def test_a_path_without_surveys_hashes_as_before():
    assert "surveys" not in parse_path_definition(assessments_text()).sections


@pytest.mark.parametrize(
    ("surveys", "message"),
    [
        ([SURVEY, SURVEY], "duplicate code (already used by surveys[0]"),
        ([changed(kind="weekly")], "surveys[0] (module-a-chaud).kind: must be one of"),
        ([changed(title="  ")], "surveys[0] (module-a-chaud).title: must not be empty"),
        ([changed(delay_days=30)], "delay_days: is only for « à froid » surveys (path_cold)"),
        ([changed(COLD, delay_days=0)], "delay_days: must be from 1 to 730 days (not 0)"),
        ([changed(COLD, delay_days=731)], "must be from 1 to 730 days (not 731)"),
        ([changed(COLD, delay_days="90")], "delay_days: must be an integer"),
        ([changed(scale=["Seul"])], "scale: must list from 2 to 10 labels"),
        ([changed(scale=[str(n) for n in range(11)])], "scale: must list from 2 to 10 labels"),
        ([changed(scale=["Oui", " "])], "scale: must not hold an empty label"),
        ([changed(scale=["Oui", "Oui"])], "scale: must not repeat a label"),
        ([changed(scale=None)], "a scale question needs the survey's scale"),
        ([changed(anonymous="oui")], "anonymous: must be true or false"),
        ([changed(questions=[])], "questions: must have at least one entry"),
        ([changed(questions=None)], "missing required key questions"),
        ([changed(questions=[question(), question()])], "duplicate code (already used by"),
        ([changed(questions=[question(kind="note")])], "kind: must be one of scale, choice"),
        ([changed(questions=[question(kind="choice")])], "a choice question needs its choices"),
        (
            [changed(questions=[question(kind="choice", choices=["Oui"])])],
            "choices: must list from 2 to 20 labels",
        ),
        (
            [changed(questions=[question(kind="choice", choices=["Oui", "Oui"])])],
            "choices: must not repeat a label",
        ),
        (
            [changed(questions=[question(kind="text", choices=["Oui", "Non"])])],
            "choices: only a choice question has choices",
        ),
        ([changed(questions=[question(required="non")])], "required: must be true or false"),
        ([changed(questions=[question(text="")])], "text: must not be empty"),
        ([changed(questions=[question(reponse=1)])], "unknown key reponse"),
        ([changed(frequence=1)], "unknown key frequence"),
        ([changed(code="x" * 41)], "code: is longer than 40 characters"),
    ],
)
def test_a_bad_survey_is_refused_with_its_problem_named(app, surveys, message):
    text = with_surveys(*surveys)
    assert message in refusal(text)
    before = survey_rows()
    with pytest.raises(PathDefinitionError):
        load_path(parse_path_definition(text))
    db.session.rollback()
    assert survey_rows() == before


def test_surveys_as_a_table_are_refused():
    document = tomllib.loads(assessments_text())
    document["surveys"] = {"code": "x"}
    assert "surveys: must be an array of tables" in refusal(tomli_w.dumps(document))


def test_surveys_load_and_export_back_unchanged(app):
    definition = parse_path_definition(with_surveys(SURVEY, COLD))
    path = load_path(definition).path
    stored = db.session.scalars(
        db.select(Survey).filter_by(path_id=path.id).order_by(Survey.position)
    ).all()
    assert [(s.code, s.kind, s.delay_days) for s in stored] == [
        ("module-a-chaud", SurveyKind.MODULE_HOT, None),
        ("a-froid", SurveyKind.PATH_COLD, 90),
    ]
    assert [q.code for q in stored[0].questions] == ["objectifs", "rythme", "avis"]
    assert stored[0].questions[2].required is False
    assert stored[0].scale_labels == SCALE
    again = parse_path_definition(export_path(path))
    assert again.canonical_sha256() == definition.canonical_sha256()
    assert again.sections["surveys"] == definition.sections["surveys"]
    db.session.rollback()


def test_the_shipped_path_declares_the_four_surveys_in_french(app):
    from lms.curriculum.services import load_path_file, shipped_path_file

    path = load_path_file(shipped_path_file()).path
    assert path.version == 6
    surveys = db.session.scalars(
        db.select(Survey).filter_by(path_id=path.id).order_by(Survey.position)
    ).all()
    assert [survey.kind for survey in surveys] == list(SurveyKind)
    module_hot, path_hot, cold, funder = surveys
    assert path_hot.anonymous
    assert not funder.anonymous
    assert module_hot.anonymous
    assert cold.delay_days == 90
    codes = {question.code for survey in surveys for question in survey.questions}
    assert {"objectifs", "rythme", "formateurs", "organisation", "recommandation"} <= codes
    assert {"utilite", "commentaires"} <= codes
    for survey in surveys:  # every survey has a free comment
        assert any(question.kind == "text" for question in survey.questions)
    db.session.rollback()
