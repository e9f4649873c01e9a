"""Forms of the surveys: the answers (built from the survey's questions), a contact, an opening."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional

from lms.core.text import multiline_text, single_line_text
from lms.quality.surveys.answering import TEXT_MAX
from lms.quality.surveys.models import Survey, SurveyQuestion, SurveyQuestionKind


def strip(value: str | None) -> str | None:
    """Drop the spaces around a typed or pasted value."""
    return value.strip() if isinstance(value, str) else value


def field_name(question: SurveyQuestion) -> str:
    """Return the form field's name of a question."""
    return f"q_{question.code}"


class AnswersForm(FlaskForm):
    """The answers to a survey; ``answers_form`` adds one field per question."""

    submit = SubmitField(_l("Send my answers"))

    def values(self, survey: Survey) -> dict[str, Any]:
        """Return the typed answers by question code."""
        return {q.code: self[field_name(q)].data for q in survey.questions}


def answers_form(survey: Survey, **kwargs: Any) -> AnswersForm:
    """Return the form of ``survey``: radio buttons of the scale, choices, text areas."""

    class SurveyAnswersForm(AnswersForm):
        pass

    for question in survey.questions:
        required = (
            [InputRequired(message=_l("This question needs an answer."))]
            if question.required
            else [Optional()]
        )
        if question.kind == SurveyQuestionKind.SCALE:
            choices = [
                SelectChoice(str(n), label) for n, label in enumerate(survey.scale_labels, start=1)
            ]
            field: Any = RadioField(question.text, choices=choices, validators=required)
        elif question.kind == SurveyQuestionKind.CHOICE:
            field = RadioField(
                question.text,
                choices=[SelectChoice(c, c) for c in question.choices],
                validators=required,
            )
        else:
            field = TextAreaField(
                question.text,
                validators=[*required, Length(max=TEXT_MAX), multiline_text],
                render_kw={"rows": 4},
            )
        setattr(SurveyAnswersForm, field_name(question), field)
    return SurveyAnswersForm(**kwargs)


class ContactForm(FlaskForm):
    """A funder or employer asked to answer a funder survey."""

    name = StringField(
        _l("Name"), validators=[InputRequired(), Length(max=200), single_line_text], filters=[strip]
    )
    organisation = StringField(
        _l("Organisation"),
        validators=[InputRequired(), Length(max=200), single_line_text],
        filters=[strip],
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Length(max=254), single_line_text, Email()],
        filters=[strip],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Add and send the link"))


class OpenCampaignForm(FlaskForm):
    """Which survey to put to the cohort now (and for which module)."""

    target = SelectField(_l("Survey"), validators=[InputRequired()])
    submit = SubmitField(_l("Open now"))
