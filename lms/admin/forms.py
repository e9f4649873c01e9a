"""Administration forms: user accounts, list filters, confirmations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SearchField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from lms.accounts.forms import LOCALE_CHOICES, no_control_characters
from lms.accounts.models import User
from lms.accounts.services import find_user_by_email
from lms.admin.audit_words import action_words
from lms.admin.services import AuditFilters
from lms.core.dates import LocalDateField


def strip(value: str | None) -> str | None:
    """Drop the spaces around a typed or pasted value."""
    return value.strip() if isinstance(value, str) else value


class FilterForm(FlaskForm):
    """A form read from the query string of a GET page: no CSRF token to check."""

    class Meta:
        csrf = False


class UserForm(FlaskForm):
    """E-mail, name and language of an account; the e-mail must be free."""

    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254), no_control_characters, Email()],
        filters=[strip],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    display_name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=120), no_control_characters],
        filters=[strip],
    )
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES, default="fr")

    def __init__(self, *args, user: User | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user  # the account being edited; None when creating one

    def validate_email(self, field) -> None:
        """Refuse an address another account already uses, whatever its case."""
        if field.errors:  # not an address: nothing to look up (NUL cannot even be sent to SQL)
            return
        owner = find_user_by_email(field.data or "")
        if owner is not None and (self.user is None or owner.id != self.user.id):
            raise ValidationError(_l("Another account already uses this e-mail address."))


class NewUserForm(UserForm):
    """A new account: the person then receives an invitation to choose a password."""

    is_admin = BooleanField(_l("Administrator"))


class ConfirmForm(FlaskForm):
    """An action button: only the CSRF token is checked."""


class UserFilterForm(FilterForm):
    """Search and filters of the users list."""

    q = SearchField(
        _l("E-mail or name"), validators=[Optional(), Length(max=254), no_control_characters]
    )
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("", _l("Any role")),
            SelectChoice("admin", _l("Administrators")),
            SelectChoice("trainer", _l("Trainers")),
            SelectChoice("learner", _l("Learners")),
            SelectChoice("assessor", _l("External assessors")),
            SelectChoice("none", _l("In no cohort")),
        ],
        default="",
    )
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("Active or not")),
            SelectChoice("active", _l("Active")),
            SelectChoice("inactive", _l("Inactive")),
        ],
        default="",
    )


class AuditFilterForm(FilterForm):
    """Filters of the audit log; ``action`` choices are the actions recorded so far."""

    actor = SearchField(
        _l("Actor's e-mail"), validators=[Optional(), Length(max=254), no_control_characters]
    )
    action = SelectField(_l("Action"), choices=[SelectChoice("", _l("Any action"))], default="")
    object_type = StringField(
        _l("Object type"), validators=[Optional(), Length(max=80), no_control_characters]
    )
    object_id = StringField(
        _l("Object id"), validators=[Optional(), Length(max=80), no_control_characters]
    )
    date_from = LocalDateField(_l("From"), validators=[Optional()])
    date_to = LocalDateField(_l("To"), validators=[Optional()])

    def set_actions(self, actions: list[str]) -> None:
        """Offer the recorded actions in the action list."""
        self.action.choices = [
            SelectChoice("", _l("Any action")),
            *(SelectChoice(name, action_words(name)) for name in actions),
        ]

    def validate_date_to(self, field) -> None:
        """Refuse a period that ends before it starts."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date must be on or after the start date."))

    def filters(self) -> AuditFilters:
        """Return the filters the form holds."""
        return AuditFilters(
            actor=self.actor.data or "",
            action=self.action.data or "",
            object_type=self.object_type.data or "",
            object_id=self.object_id.data or "",
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )
