"""The satisfaction surveys' part of the path-definition file: ``[[surveys]]``.

```toml
[[surveys]]
code = "module-a-chaud"
kind = "module_hot"            # module_hot, path_hot, path_cold or funder
title = "Votre avis sur le module"
introduction = "…"             # optional (Markdown)
anonymous = true               # optional (default false)
delay_days = 90                # path_cold only (default 90): days after the cohort's end
scale = ["Pas du tout", "Plutôt non", "Plutôt oui", "Tout à fait"]   # 2 to 10 labels

[[surveys.questions]]
code = "objectifs"
kind = "scale"                 # scale, choice or text
text = "Les objectifs du module ont-ils été atteints ?"
required = true                # optional (default true)
choices = ["…", "…"]           # choice questions only (2 to 20, each once)
```

The loader refuses a duplicate survey or question code, a ``delay_days`` outside 1–730 or on
another kind than ``path_cold``, a scale of fewer than 2 or more than 10 labels (or a blank or
repeated one), a scale question without a scale, choices on another kind than ``choice`` and a
choice question without at least two distinct choices. The section is optional.
Registered by ``lms.quality.surveys.init_app``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from lms.curriculum.definition import (
    DefinitionContext,
    DefinitionExtension,
    ExtensionData,
    PathDefinition,
)
from lms.curriculum.definition.reading import Field, Problems, index_entries, read_tables
from lms.curriculum.models import TrainingPath
from lms.extensions import db
from lms.quality.surveys.models import Survey, SurveyKind, SurveyQuestion, SurveyQuestionKind

DEFAULT_DELAY_DAYS = 90
SCALE_LENGTH = (2, 10)
CHOICES_LENGTH = (2, 20)
LABEL_MAX = 200

QUESTION_FIELDS = {
    "code": Field("line", max_length=40),
    "kind": Field("choice", choices=SurveyQuestionKind),
    "text": Field("line"),
    "required": Field("bool", required=False, default=True),
    "choices": Field("codes", required=False),
}
SURVEY_FIELDS = {
    "code": Field("line", max_length=40),
    "kind": Field("choice", choices=SurveyKind),
    "title": Field("line", max_length=200),
    "introduction": Field("text", required=False),
    "anonymous": Field("bool", required=False, default=False),
    "delay_days": Field("int", required=False),
    "scale": Field("codes", required=False),
    "questions": Field("tables", fields=QUESTION_FIELDS),
}


class SurveysDefinition(DefinitionExtension):
    """Read, load and export the ``[[surveys]]`` array of tables."""

    name = "surveys"
    sections = ("surveys",)

    def read(
        self, document: dict[str, Any], context: DefinitionContext, problems: Problems
    ) -> ExtensionData:
        """Validate the surveys; return them in canonical form (none: the path has none)."""
        if "surveys" not in document:
            return ExtensionData()
        entries = read_tables(document["surveys"], SURVEY_FIELDS, "surveys", problems)
        if entries is None:
            return ExtensionData()
        index_entries(entries, "code", problems)
        for where, survey in entries:
            _check_survey(where, survey, problems)
        return ExtensionData(sections={"surveys": [_canonical(survey) for _w, survey in entries]})

    def load(self, path: TrainingPath, definition: PathDefinition) -> None:
        """Write the surveys and their questions (flush only)."""
        for position, survey in enumerate(definition.sections.get("surveys", []), start=1):
            row = Survey(
                path_id=path.id,
                code=survey["code"],
                kind=SurveyKind(survey["kind"]),
                title=survey["title"],
                introduction=survey.get("introduction", ""),
                anonymous=survey["anonymous"],
                delay_days=survey.get("delay_days"),
                scale_labels=list(survey.get("scale", [])),
                position=position,
            )
            for number, question in enumerate(survey["questions"], start=1):
                row.questions.append(
                    SurveyQuestion(
                        code=question["code"],
                        position=number,
                        kind=SurveyQuestionKind(question["kind"]),
                        text=question["text"],
                        required=question["required"],
                        choices=list(question.get("choices", [])),
                    )
                )
            db.session.add(row)
        db.session.flush()

    def export(self, path: TrainingPath) -> ExtensionData:
        """Return the stored surveys as ``read`` gives them."""
        surveys = db.session.scalars(
            db.select(Survey).filter_by(path_id=path.id).order_by(Survey.position)
        ).all()
        if not surveys:
            return ExtensionData()
        return ExtensionData(sections={"surveys": [_stored(survey) for survey in surveys]})


def _check_survey(where: str, survey: dict[str, Any], problems: Problems) -> None:
    """Check one survey's delay, scale and questions."""
    kind = survey.get("kind")
    delay = survey.get("delay_days")
    if delay is not None and kind != SurveyKind.PATH_COLD:
        problems.add(where + ".delay_days", _("is only for « à froid » surveys (path_cold)"))
    elif delay is not None and not 1 <= delay <= 730:
        problems.add(where + ".delay_days", _("must be from 1 to 730 days (not %(n)d)", n=delay))
    scale = survey.get("scale")
    if scale is not None:
        _check_labels(where + ".scale", scale, SCALE_LENGTH, problems)
    questions = survey.get("questions") or []
    index_entries(questions, "code", problems)
    for place, question in questions:
        _check_question(place, question, scale, problems)


def _check_labels(
    where: str, labels: tuple[str, ...], bounds: tuple[int, int], problems: Problems
) -> None:
    """Labels: between ``bounds`` of them, none blank, none repeated, none too long."""
    low, high = bounds
    if not low <= len(labels) <= high:
        problems.add(where, _("must list from %(low)d to %(high)d labels", low=low, high=high))
    if any(not label.strip() for label in labels):
        problems.add(where, _("must not hold an empty label"))
    if len(set(labels)) != len(labels):
        problems.add(where, _("must not repeat a label"))
    if any(len(label) > LABEL_MAX for label in labels):
        problems.add(where, _("holds a label longer than %(n)d characters", n=LABEL_MAX))


def _check_question(
    where: str, question: dict[str, Any], scale: tuple[str, ...] | None, problems: Problems
) -> None:
    """A scale question needs the survey's scale; choices belong to choice questions only."""
    kind = question.get("kind")
    choices = question.get("choices")
    if kind == SurveyQuestionKind.SCALE and not scale:
        problems.add(where + ".kind", _("a scale question needs the survey's scale"))
    if kind == SurveyQuestionKind.CHOICE:
        if choices is None:
            problems.add(where, _("a choice question needs its choices"))
        else:
            _check_labels(where + ".choices", choices, CHOICES_LENGTH, problems)
    elif choices is not None:
        problems.add(where + ".choices", _("only a choice question has choices"))


def _canonical(survey: dict[str, Any]) -> dict[str, Any]:
    """Return a read survey as plain TOML values (entries without their locations)."""
    plain: dict[str, Any] = {
        "code": survey.get("code"),
        "kind": str(survey.get("kind")),
        "title": survey.get("title"),
    }
    if survey.get("introduction"):
        plain["introduction"] = survey["introduction"]
    plain["anonymous"] = survey.get("anonymous", False)
    if survey.get("kind") == SurveyKind.PATH_COLD:
        plain["delay_days"] = survey.get("delay_days") or DEFAULT_DELAY_DAYS
    if survey.get("scale"):
        plain["scale"] = list(survey["scale"])
    plain["questions"] = []
    for _where, question in survey.get("questions") or []:
        entry: dict[str, Any] = {
            "code": question.get("code"),
            "kind": str(question.get("kind")),
            "text": question.get("text"),
            "required": question.get("required", True),
        }
        if question.get("choices"):
            entry["choices"] = list(question["choices"])
        plain["questions"].append(entry)
    return plain


def _stored(survey: Survey) -> dict[str, Any]:
    """Return a stored survey in canonical form."""
    plain: dict[str, Any] = {"code": survey.code, "kind": str(survey.kind), "title": survey.title}
    if survey.introduction:
        plain["introduction"] = survey.introduction
    plain["anonymous"] = survey.anonymous
    if survey.delay_days is not None:
        plain["delay_days"] = survey.delay_days
    if survey.scale_labels:
        plain["scale"] = list(survey.scale_labels)
    plain["questions"] = [
        {
            "code": question.code,
            "kind": str(question.kind),
            "text": question.text,
            "required": question.required,
        }
        | ({"choices": list(question.choices)} if question.choices else {})
        for question in survey.questions
    ]
    return plain
