"""Forms of the sheet pages: the learner's code, a trainer's mark, the closing, a correction."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from lms.attendance.models import AttendanceStatus
from lms.core.text import multiline_text

STATUS_LABELS = {
    AttendanceStatus.PRESENT: _l("Present"),
    AttendanceStatus.LATE: _l("Late"),
    AttendanceStatus.ABSENT: _l("Absent"),
    AttendanceStatus.EXCUSED: _l("Excused"),
}
MAX_REASON_LENGTH = 500


class SignForm(FlaskForm):
    """The code the trainer shows."""

    code = StringField(
        _l("Code shown by your trainer"),
        validators=[
            DataRequired(message=_l("Type the six-digit code.")),
            Regexp(r"^\s*(\d\s*){6}$", message=_l("The code has six digits.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12},
    )


class MarkForm(FlaskForm):
    """A trainer's mark for one learner (or an administrator's correction of it)."""

    status = RadioField(
        _l("Status"),
        choices=[SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()],
        validators=[InputRequired(message=_l("Choose a status."))],
    )
    arrived_at = TimeField(_l("Arrival time (late)"), validators=[Optional()])
    reason = TextAreaField(
        _l("Reason (excused)"),
        validators=[Optional(), Length(max=MAX_REASON_LENGTH), multiline_text],
    )
    # Read from ``request.files`` by the view (``manage.posted_file``), checked by the service.
    supporting_file = FileField(_l("Supporting file (excused, optional)"))


class CorrectionForm(MarkForm):
    """An administrator's correction of a closed sheet: a mark and why."""

    correction_reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[
            DataRequired(message=_l("Give the reason of the correction.")),
            Length(max=MAX_REASON_LENGTH),
            multiline_text,
        ],
    )


class CloseForm(FlaskForm):
    """The closing's confirmation (CSRF only)."""
