"""The self-assessment and review forms, built from the path's competencies and scale.

Self-assessment: for each competency, a level of the scale (radio buttons with their
descriptors) and an optional comment. Review: for each competency, the entry level retained
(radio buttons) and the adjustments decided (required: "no adjustment" is a decision too).
Both carry the version of the positioning the person read (``version``, empty when there was
none): a save based on a stale read answers 409.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from lms.core.text import multiline_text
from lms.quality.positioning.frame import Frame
from lms.quality.positioning.services import ADJUSTMENTS_MAX, COMMENT_MAX


def level_name(competency_id: int) -> str:
    return f"level_{competency_id}"


def comment_name(competency_id: int) -> str:
    return f"comment_{competency_id}"


def entry_name(competency_id: int) -> str:
    return f"entry_{competency_id}"


def _scale_choices(frame: Frame) -> list[SelectChoice]:
    return [SelectChoice(step.value, f"{step.value} — {step.label}") for step in frame.scale]


def _level_field(frame: Frame) -> RadioField:
    return RadioField(
        _l("Level"),
        choices=_scale_choices(frame),
        coerce=int,
        validators=[InputRequired(message=_l("Choose a level of the scale."))],
    )


class SelfAssessmentForm(FlaskForm):
    """The learner's level and comment per competency (fields added by ``self_assessment_form``)."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("Save my positioning"))

    def rows(self, frame: Frame) -> list[tuple[Any, Any, Any]]:
        """Return (competency, level field, comment field) per competency, in order."""
        return [(c, self[level_name(c.id)], self[comment_name(c.id)]) for c in frame.competencies]


class ReviewForm(FlaskForm):
    """The entry level per competency and the adjustments (levels added by ``review_form``)."""

    adjustments = TextAreaField(
        _l("Adjustments decided for the course"),
        description=_l(
            "What changes in this learner's course given where they start (or that none is "
            "needed): modules to reinforce, extra resources, pace, arrangements. The learner "
            "reads it."
        ),
        validators=[
            DataRequired(message=_l("Write the adjustments decided, or that none is needed.")),
            Length(max=ADJUSTMENTS_MAX),
            multiline_text,
        ],
        render_kw={"rows": 6},
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("Record the entry levels"))

    def entry_fields(self, frame: Frame) -> dict[int, Any]:
        """Return the entry level field of each competency, by competency id."""
        return {c.id: self[entry_name(c.id)] for c in frame.competencies}


def self_assessment_form(frame: Frame, **data: Any) -> SelfAssessmentForm:
    """Return the self-assessment form for ``frame``, filled with ``data`` when given."""

    class Form(SelfAssessmentForm):
        pass

    for competency in frame.competencies:
        setattr(Form, level_name(competency.id), _level_field(frame))
        setattr(
            Form,
            comment_name(competency.id),
            TextAreaField(
                _l("Comment (optional)"),
                validators=[Optional(), Length(max=COMMENT_MAX), multiline_text],
                render_kw={"rows": 2},
            ),
        )
    return Form(data=data or None)


def review_form(frame: Frame, **data: Any) -> ReviewForm:
    """Return the review form for ``frame``, filled with ``data`` when given."""

    class Form(ReviewForm):
        pass

    for competency in frame.competencies:
        setattr(Form, entry_name(competency.id), _level_field(frame))
    return Form(data=data or None)


def fresh_version(form: SelfAssessmentForm | ReviewForm, positioning: Any) -> None:
    """Make the form carry the stored positioning's version (after a 409): the next save is
    based on what the person now reads."""
    version = positioning.version_id if positioning is not None else None
    form.version.data = version
    form.version.raw_data = [str(version) if version is not None else ""]
