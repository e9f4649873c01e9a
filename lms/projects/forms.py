"""The project's declaration form and the evaluation form built from the path's grid.

The declaration: title, holder organisation, partners (one per line), territory (all of them,
the cohort's by default), domains of bien-vivre (checkboxes, the grid's), stage and a short
description in plain text (shown as typed, line breaks kept; no Markdown). The evaluation: for
each dimension of the grid, one value of the scale (radio buttons with their labels) and a
short justification. Both carry the version of what the person read (``version``): a save
based on a stale read answers 409.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from lms.core.text import multiline_text, single_line_text
from lms.projects.evaluations import JUSTIFICATION_MAX
from lms.projects.grid import Grid
from lms.projects.models import ProjectStage
from lms.projects.services import TEXT_MAX, TITLE_MAX

STAGE_LABELS = {
    ProjectStage.IDEA: _l("Idea"),
    ProjectStage.EXPERIMENTATION: _l("Experimentation"),
    ProjectStage.FINANCED: _l("Financed"),
    ProjectStage.RUNNING: _l("Running"),
}


class ProjectForm(FlaskForm):
    """Declare or change a project."""

    title = StringField(
        _l("Title of the project"),
        validators=[InputRequired(), Length(max=TITLE_MAX), single_line_text],
    )
    holder = StringField(
        _l("Holder organisation"),
        validators=[InputRequired(), Length(max=TITLE_MAX), single_line_text],
    )
    partners = TextAreaField(
        _l("Partners"),
        validators=[Optional(), Length(max=TEXT_MAX), multiline_text],
        render_kw={"rows": 4},
    )
    territory = SelectField(_l("Territory of application"), coerce=int)
    domains = SelectMultipleField(
        _l("Domains of bien-vivre"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    stage = RadioField(
        _l("Stage"),
        choices=[SelectChoice(stage.value, label) for stage, label in STAGE_LABELS.items()],
        default=ProjectStage.IDEA.value,
        validators=[InputRequired()],
    )
    description = TextAreaField(
        _l("Short description"),
        validators=[Optional(), Length(max=TEXT_MAX), multiline_text],
        render_kw={"rows": 6},
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("Save the project"))


def project_form(grid: Grid, territories, **data) -> ProjectForm:
    """Return the declaration form with the grid's domains and the territories as choices."""
    form = ProjectForm(data=data or None)
    form.territory.choices = [SelectChoice(t.id, t.name) for t in territories]
    form.domains.choices = [SelectChoice(d.id, d.title) for d in grid.domains]
    return form


class GridValuesForm(FlaskForm):
    """A form with a value and a justification per dimension of a grid (added by ``grid_form``):
    a user's evaluation (``EvaluationForm``) and one made through a single-use link."""

    def rows(self, grid: Grid):
        """Return (dimension, value field, justification field) for each dimension."""
        return [
            (d, self[value_name(d.code)], self[justification_name(d.code)]) for d in grid.dimensions
        ]

    def values(self, grid: Grid) -> dict[str, tuple[int, str]]:
        """Return the typed values by dimension code (those given)."""
        typed = {}
        for dimension, value, text in self.rows(grid):
            if value.data is not None:
                typed[dimension.code] = (value.data, text.data or "")
        return typed


class EvaluationForm(GridValuesForm):
    """A user's evaluation with the grid, from the version of it they read (an amendment)."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("Save the evaluation"))


def value_name(code: str) -> str:
    return f"value_{code}"


def justification_name(code: str) -> str:
    return f"justification_{code}"


GridForm = TypeVar("GridForm", bound=GridValuesForm)


def grid_form(base: type[GridForm], grid: Grid, **kwargs: Any) -> GridForm:
    """Return a ``base`` form with a value (radio of the scale) and a justification per
    dimension of ``grid``; ``kwargs`` go to the form (``data=``…)."""

    class GridEvaluationForm(base):  # type: ignore[valid-type, misc]
        pass

    choices = [SelectChoice(level.value, f"{level.value} — {level.label}") for level in grid.levels]
    for dimension in grid.dimensions:
        setattr(
            GridEvaluationForm,
            value_name(dimension.code),
            RadioField(
                _l("Value"),
                choices=choices,
                coerce=int,
                validators=[InputRequired(message=_l("Choose a value of the scale."))],
            ),
        )
        setattr(
            GridEvaluationForm,
            justification_name(dimension.code),
            TextAreaField(
                _l("Justification"),
                validators=[
                    InputRequired(message=_l("Justify the value in a few words.")),
                    Length(max=JUSTIFICATION_MAX),
                    multiline_text,
                ],
                render_kw={"rows": 3},
            ),
        )
    return GridEvaluationForm(**kwargs)


def evaluation_form(grid: Grid, **data) -> EvaluationForm:
    """Return a user's evaluation form for ``grid``, filled with ``data`` when given."""
    return grid_form(EvaluationForm, grid, data=data or None)
