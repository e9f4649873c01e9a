"""Quiz forms: starting an attempt, and the answers of an attempt (one field per question).

The answers form is built for the attempt's questions: each field accepts only the ids of its
own question's options, so a forged option id is a form error, never a stored answer. Fields
carry no hint of which option is correct; the template renders the inputs itself.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from lms.assessments.models import Option, Question, QuestionKind


class StartAttemptForm(FlaskForm):
    """Start (or resume) an attempt: a button and its CSRF token."""


class SubmitAttemptForm(FlaskForm):
    """Submit an attempt whose answers can no longer change: a button and its CSRF token."""


def _at_most_one(form, field) -> None:
    """Refuse two ticks on a single-choice question."""
    if len(field.data or []) > 1:
        raise ValidationError(_l("Choose only one answer."))


def field_name(question: Question) -> str:
    """Return the form field name of a question."""
    return f"question_{question.id}"


def answers_form(shown: list[tuple[Question, list[Option]]], **kwargs) -> FlaskForm:
    """Return the answers form of these questions (options in the order shown)."""

    class AnswersForm(FlaskForm):
        pass

    for question, options in shown:
        validators = [_at_most_one] if question.kind == QuestionKind.SINGLE else []
        field = SelectMultipleField(
            question.prompt,
            choices=[SelectChoice(option.id, option.text) for option in options],
            coerce=int,
            validators=validators,
        )
        setattr(AnswersForm, field_name(question), field)
    return AnswersForm(**kwargs)


def posted_answers(form: FlaskForm, shown: list[tuple[Question, list[Option]]]):
    """Return the validated answers as {question id: [option ids]}, every question included."""
    return {question.id: list(form[field_name(question)].data or []) for question, _ in shown}
