"""Assignment forms: a learner's submission, and a trainer's deadline extension.

The submission form only carries the text and the files; who submits is always the current
user and the version, state and lateness are decided by the service, whatever else is posted.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from lms.assessments.assignments.services import MAX_REASON_LENGTH
from lms.assessments.assignments.uploads import MAX_TEXT_LENGTH
from lms.core.dates import LocalDateTimeField


class SubmissionForm(FlaskForm):
    """The learner's work: text and/or files (which ones the assignment takes is checked later)."""

    text = TextAreaField(_l("Your text"), validators=[Length(max=MAX_TEXT_LENGTH)])
    files = MultipleFileField(_l("Files"))


class ExtensionForm(FlaskForm):
    """Give one learner of the cohort a new deadline, with a reason."""

    learner = SelectField(_l("Learner"), coerce=int, validators=[InputRequired()])
    # Typed in the organisation's timezone, like the calendar; the field gives UTC.
    due_at = LocalDateTimeField(_l("New deadline"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=MAX_REASON_LENGTH)])
