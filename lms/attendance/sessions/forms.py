"""The session form: module, day, start and end times, modality, place or link, trainers.

The day and the two clock times are typed in the organisation's time zone; the view combines
them (``lms.attendance.sessions.services.local_instant``), which refuses a time the clocks skip
or repeat. Checks that need the cohort (module of its path, its trainers, overlaps) are the
service's (``plan_problems``): the view shows each problem beside its field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms.attendance.models import Modality
from lms.attendance.sessions.services import LINK_LENGTH, PLACE_LENGTH, parse_clock
from lms.core.dates import LocalDateField
from lms.core.text import single_line_text

MODALITY_LABELS = {
    Modality.IN_PERSON: _l("In person"),
    Modality.REMOTE: _l("Remote live"),
}


def clock_time(form, field) -> None:
    """WTForms validator: a clock time such as 09:00 (or 9h00)."""
    if field.data and parse_clock(field.data) is None:
        raise ValidationError(_l("Enter a time as hours and minutes, such as 09:00."))


class SessionForm(FlaskForm):
    """Create or change a session."""

    module = SelectField(_l("Module"), coerce=int, validators=[InputRequired()])
    day = LocalDateField(_l("Date"), validators=[InputRequired()])
    starts = StringField(
        _l("Start time"),
        validators=[InputRequired(), Length(max=8), clock_time],
        render_kw={"type": "time", "step": "300"},
    )
    ends = StringField(
        _l("End time"),
        validators=[InputRequired(), Length(max=8), clock_time],
        render_kw={"type": "time", "step": "300"},
    )
    modality = RadioField(
        _l("Modality"),
        choices=[SelectChoice(value.value, label) for value, label in MODALITY_LABELS.items()],
        default=Modality.IN_PERSON.value,
        validators=[InputRequired()],
    )
    place = StringField(
        _l("Place (in person)"),
        validators=[Optional(), Length(max=PLACE_LENGTH), single_line_text],
    )
    link = StringField(
        _l("Link (remote live)"),
        validators=[Optional(), Length(max=LINK_LENGTH), single_line_text],
        render_kw={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"},
    )
    trainers = SelectMultipleField(
        _l("Trainers"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField(_l("Save this session"))


class SessionDeleteForm(FlaskForm):
    """Delete (cancel) a session: the form only carries the CSRF token."""

    submit = SubmitField(_l("Delete the session"))
