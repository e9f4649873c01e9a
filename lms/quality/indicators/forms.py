"""The indicators' forms: the staff page's filters, a withdrawal, a publication."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from lms.core.dates import LocalDateField
from lms.core.text import multiline_text
from lms.core.time import local_today
from lms.quality.indicators.rows import INDICATORS
from lms.quality.indicators.scope import Period


def last_year() -> Period:
    """Return the last calendar year, the page's default period."""
    return Period.year(local_today().year - 1)


class FilterForm(FlaskForm):
    """The staff page's filters, read from the query string (no CSRF token to check).

    ``path`` and ``cohort`` choices are set by the page, within what the person may see: a
    cohort of another territory is refused like an unknown one, beside the field.
    """

    class Meta:
        csrf = False

    path = SelectField(_l("Path"), choices=[], default="")
    cohort = SelectField(_l("Cohort"), choices=[], default="")
    date_from = LocalDateField(_l("From"), validators=[Optional()])
    date_to = LocalDateField(_l("To"), validators=[Optional()])

    def validate_date_to(self, field) -> None:
        """Refuse a period that ends before it starts."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("The period must end on or after its first day."))

    def period(self) -> Period:
        """Return the period asked; the last calendar year for a bound left empty."""
        default = last_year()
        return Period(
            self.date_from.data or default.starts_on, self.date_to.data or default.ends_on
        )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PublicationForm(FlaskForm):
    """Which indicators of a path and a year the organisation publishes (the whole set)."""

    path = SelectField(_l("Path"), choices=[], validators=[DataRequired()])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    indicators = MultiCheckboxField(
        _l("Indicators published"),
        choices=[SelectChoice(code, label) for code, (label, _definition) in INDICATORS.items()],
        validate_choice=True,
    )


class WithdrawalForm(FlaskForm):
    """A learner's withdrawal from the cohort: who, on what day, why."""

    learner = SelectField(_l("Learner"), coerce=int, choices=[], validators=[DataRequired()])
    withdrawn_on = LocalDateField(_l("Last day of participation"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(), Length(max=500), multiline_text],
    )


class ConfirmForm(FlaskForm):
    """An action button: only the CSRF token is checked."""
