"""Forms of the later ex post evaluation: its set-up (date, person) and the evaluation by link."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length

from lms.core.dates import LocalDateField
from lms.core.text import single_line_text
from lms.projects.forms import GridValuesForm, grid_form
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


class LinkEvaluationForm(GridValuesForm):
    """The evaluator's name; ``evaluation_form`` adds a value and a justification per dimension."""

    evaluator_name = StringField(
        _l("Your name"),
        validators=[InputRequired(), Length(max=120), single_line_text],
        filters=[strip],
    )
    submit = SubmitField(_l("Send the evaluation"))


def evaluation_form(grid: Grid, **kwargs: Any) -> LinkEvaluationForm:
    """Return the form for ``grid``: the evaluator's name, then for each dimension one value of
    the scale and why (``lms.projects.forms.grid_form``)."""
    return grid_form(LinkEvaluationForm, grid, **kwargs)
