"""The marking pages' forms: a marker's levels and feedback, the settlement, a reallocation.

Levels are radio groups ``criterion-<id>`` read by ``lms.assessments.grading.forms.chosen_levels``
for the rubric's criteria only; the third reader's reasons are ``reason-<id>`` textareas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange
from wtforms.widgets import HiddenInput

from lms.assessments.grading.forms import chosen_levels
from lms.assessments.models import Criterion

ACTIONS = ("save", "submit")


class MarkingForm(FlaskForm):
    """Feedback and the marking's version as read (the optimistic lock)."""

    feedback = TextAreaField(_l("Feedback"), validators=[Length(max=20000)])
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class AllocateForm(FlaskForm):
    """Allocate the markers of every work not allocated yet (CSRF only)."""


class ReallocateForm(FlaskForm):
    """Give a marking to another person: their id, and the marking's version as read."""

    marker = IntegerField(
        _l("Marker"), validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)]
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


def reason_name(criterion: Criterion) -> str:
    """Return the name of a criterion's reason field (third reader)."""
    return f"reason-{criterion.id}"


def settled_choices(
    data: Mapping[str, str], criteria: Sequence[Criterion]
) -> dict[int, tuple[int | None, str]]:
    """Return {criterion id: (level id or None, reason)} for the disputed criteria as posted."""
    levels, _errors = chosen_levels(data, criteria)
    return {
        criterion.id: (levels.get(criterion.id), (data.get(reason_name(criterion)) or "")[:5000])
        for criterion in criteria
    }
