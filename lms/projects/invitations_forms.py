"""Forms of the later ex post evaluation: its set-up (date, person) and the evaluation by link."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length

from lms.core.dates import LocalDateField
from lms.core.text import multiline_text, single_line_text
from lms.projects.evaluations import JUSTIFICATION_MAX
from lms.projects.grid import Grid


def strip(value: str | None) -> str | None:
    """Drop the spaces around a typed or pasted value."""
    return value.strip() if isinstance(value, str) else value


class LaterEvaluationForm(FlaskForm):
    """When the later ex post evaluation is due, and who is invited to make it."""

    later_on = LocalDateField(
        _l("Date of the later ex post evaluation"), validators=[InputRequired()]
    )
    name = StringField(
        _l("Name of the person invited"),
        validators=[InputRequired(), Length(max=120), single_line_text],
        filters=[strip],
    )
    email = EmailField(
        _l("Their e-mail address"),
        validators=[InputRequired(), Length(max=254), single_line_text, Email()],
        filters=[strip],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    save = SubmitField(_l("Save: send the link on that date"))
    send_now = SubmitField(_l("Save and send the link now"))


class LinkEvaluationForm(FlaskForm):
    """The evaluator's name; ``evaluation_form`` adds a value and a justification per dimension."""

    evaluator_name = StringField(
        _l("Your name"),
        validators=[InputRequired(), Length(max=120), single_line_text],
        filters=[strip],
    )
    submit = SubmitField(_l("Send the evaluation"))


def value_field(dimension_code: str) -> str:
    return f"value-{dimension_code}"


def justification_field(dimension_code: str) -> str:
    return f"justification-{dimension_code}"


def evaluation_form(grid: Grid, **kwargs: Any) -> LinkEvaluationForm:
    """Return the form for ``grid``: for each dimension, one value of the scale and why."""

    class GridEvaluationForm(LinkEvaluationForm):
        pass

    choices = [SelectChoice(level.value, f"{level.value} – {level.label}") for level in grid.levels]
    for dimension in grid.dimensions:
        setattr(
            GridEvaluationForm,
            value_field(dimension.code),
            RadioField(
                _l("Value"),
                choices=choices,
                coerce=int,
                validators=[InputRequired(message=_l("Choose a value of the scale."))],
            ),
        )
        setattr(
            GridEvaluationForm,
            justification_field(dimension.code),
            TextAreaField(
                _l("Why this value"),
                validators=[InputRequired(), Length(max=JUSTIFICATION_MAX), multiline_text],
                filters=[strip],
                render_kw={"rows": 3},
            ),
        )
    return GridEvaluationForm(**kwargs)


def typed_values(form: LinkEvaluationForm, grid: Grid) -> dict[str, tuple[int, str]]:
    """Return the form's values by dimension code, as ``record_evaluation`` takes them."""
    return {
        dimension.code: (
            form[value_field(dimension.code)].data,
            form[justification_field(dimension.code)].data or "",
        )
        for dimension in grid.dimensions
    }
