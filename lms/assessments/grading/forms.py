"""The grading page's form: feedback, the version read, and a level per criterion.

The levels are radio buttons named ``criterion-<id>`` (one group per criterion of the rubric);
``chosen_levels`` reads them for the rubric's criteria only, so that no other field of the
request can reach the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import HiddenInput

from lms.assessments.models import Criterion

ACTIONS = ("save", "finish", "next", "release", "return")


class GradeForm(FlaskForm):
    """Feedback and the grade's version as read (the optimistic lock)."""

    feedback = TextAreaField(_l("Feedback to the learner"), validators=[Length(max=20000)])
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


def field_name(criterion: Criterion) -> str:
    """Return the name of a criterion's radio group."""
    return f"criterion-{criterion.id}"


def chosen_levels(
    data: Mapping[str, str], criteria: Sequence[Criterion]
) -> tuple[dict[int, int], dict[int, str]]:
    """Return {criterion id: level id} as posted, and errors for values that are not ids."""
    choices: dict[int, int] = {}
    errors: dict[int, str] = {}
    for criterion in criteria:
        value = (data.get(field_name(criterion)) or "").strip()
        if not value:
            continue
        if value.isdigit() and len(value) < 12:
            choices[criterion.id] = int(value)
        else:
            errors[criterion.id] = _("Choose one of this criterion's levels.")
    return choices, errors
