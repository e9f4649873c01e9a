"""Forms of the cohort administration pages."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    EmailField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from lms.accounts.forms import LOCALE_CHOICES, no_control_characters
from lms.cohorts.funders import FUNDER_LABELS
from lms.cohorts.models import CohortState, MembershipRole
from lms.core.dates import LocalDateField, LocalDateTimeField

STATE_LABELS = {
    CohortState.DRAFT: _l("Draft"),
    CohortState.ACTIVE: _l("Active"),
    CohortState.ARCHIVED: _l("Archived"),
}
ROLE_LABELS = {MembershipRole.LEARNER: _l("Learner"), MembershipRole.TRAINER: _l("Trainer")}
MAX_CAPACITY = 10_000


def strip(value: str | None) -> str | None:
    """Drop the spaces around a typed or pasted value."""
    return value.strip() if isinstance(value, str) else value


class CohortForm(FlaskForm):
    """Name, path version, territory, dates, capacity and state of a cohort."""

    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=120), no_control_characters]
    )
    path = SelectField(_l("Path version"), coerce=int, validators=[DataRequired()])
    territory = SelectField(_l("Territory"), coerce=int, validators=[DataRequired()])
    # InputRequired, not DataRequired: a date typed but refused keeps its own message.
    starts_on = LocalDateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = LocalDateField(_l("Ends on"), validators=[InputRequired()])
    capacity = IntegerField(
        _l("Capacity (learners)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_CAPACITY)],
    )
    state = SelectField(
        _l("State"),
        choices=[SelectChoice(state.value, label) for state, label in STATE_LABELS.items()],
        default=CohortState.ACTIVE.value,
    )
    submit = SubmitField(_l("Save"))

    def validate_ends_on(self, field) -> None:
        """Refuse an end before the start, beside the end date."""
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The cohort cannot end before it starts."))


def local_datetime_field(label) -> LocalDateTimeField:
    """Return an optional date-and-time input read in the organisation's timezone, kept in UTC."""
    return LocalDateTimeField(label, validators=[Optional()])


class ModuleDatesForm(Form):
    """One module's row of the calendar: opening, closing, session and place."""

    opens_at = local_datetime_field(_l("Opens"))
    closes_at = local_datetime_field(_l("Closes"))
    session_starts_at = local_datetime_field(_l("Session starts"))
    session_ends_at = local_datetime_field(_l("Session ends"))
    place = StringField(
        _l("Place"), validators=[Optional(), Length(max=200), no_control_characters]
    )

    def validate(self, extra_validators=None) -> bool:
        """Also ask for an opening date when anything else of the row is filled in."""
        valid = super().validate(extra_validators)
        others = (self.closes_at, self.session_starts_at, self.session_ends_at, self.place)
        typed = "".join(self.opens_at.raw_data or []).strip()
        if not typed and any(other.data for other in others):
            self.opens_at.errors = [
                *self.opens_at.errors,
                _l("Give the opening date, or clear the row."),
            ]
            return False
        return valid


class CalendarForm(FlaskForm):
    """The module calendar of a cohort: ``calendar_form_class`` adds one row per module."""

    submit = SubmitField(_l("Save the calendar"))


def calendar_form_class(codes: Sequence[str]) -> type[CalendarForm]:
    """Return a calendar form with one row per module code (inputs named ``M1-opens_at``)."""

    class PathCalendarForm(CalendarForm):
        pass

    for code in codes:
        setattr(PathCalendarForm, code, FormField(ModuleDatesForm, label=code))
    return PathCalendarForm


class MemberForm(FlaskForm):
    """Enrol a learner or assign a trainer by the e-mail address of an existing account."""

    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254), no_control_characters],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        default=MembershipRole.LEARNER.value,
    )
    submit = SubmitField(_l("Add"))


def funder_choices() -> list[SelectChoice]:
    """Return the funders to choose from, « Non renseigné » first."""
    return [
        SelectChoice("", _l("Not recorded")),
        *(SelectChoice(funder.value, label) for funder, label in FUNDER_LABELS.items()),
    ]


class FunderForm(FlaskForm):
    """Record who funds a learner's training (one small form per row of the members page)."""

    funder = SelectField(_l("Funder"), choices=funder_choices)
    submit = SubmitField(_l("Save"))


class ImportForm(FlaskForm):
    """Upload a CSV file of learners to preview."""

    file = FileField(_l("CSV file"), validators=[FileRequired()])
    submit = SubmitField(_l("Preview"))


class ImportCommitForm(FlaskForm):
    """Apply a previewed import, named by its server-side key."""

    key = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{20,64}$")])
    submit = SubmitField(_l("Import"))


class ActionForm(FlaskForm):
    """A button that changes something (archive, remove): the form only carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class AssessorInviteForm(FlaskForm):
    """Name an external assessor: e-mail, name and language (for a new account), last day.

    Its inputs are named ``invite-…`` (``invite_form``): the members page has another form.
    """

    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254), no_control_characters, Email()],
        filters=[strip],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    display_name = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=120), no_control_characters],
        filters=[strip],
    )
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES, default="fr")
    # InputRequired, not DataRequired: a date typed but refused keeps its own message.
    access_ends_on = LocalDateField(_l("Access until"), validators=[InputRequired()])
    submit = SubmitField(_l("Invite"))


class AssessorAccessForm(FlaskForm):
    """Move the last day of an assessor's access (today or earlier ends it now)."""

    access_ends_on = LocalDateField(_l("Access until"), validators=[InputRequired()])


def invite_form(**kwargs) -> AssessorInviteForm:
    """Return the invitation form, its inputs prefixed apart from the members form's."""
    return AssessorInviteForm(prefix="invite", **kwargs)
