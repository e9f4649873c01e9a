"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from lms.accounts.passwords import MAX_LENGTH, password_problems
from lms.core.text import single_line_text

# Refuses control, format (bidi overrides…) and noncharacters, NUL among them (PostgreSQL text
# cannot even hold it); the forms of other domains import it from here under this name.
no_control_characters = single_line_text
# The languages of an account, each named in itself as language pickers do (account forms of
# the administration and of the cohort pages).
LOCALE_CHOICES = [SelectChoice("fr", "Français"), SelectChoice("en", "English")]


class LoginForm(FlaskForm):
    """E-mail and password; the answer never tells which of the two was wrong."""

    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254), no_control_characters],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Log in"))


class NewPasswordForm(FlaskForm):
    """A new password typed twice, checked against the policy for ``policy_email``."""

    policy_email: str | None = None  # set by the view: the password may not build on it

    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("New password, again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords are different.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Save the new password"))

    def validate_new_password(self, field) -> None:
        """Report every policy problem of the new password on its field."""
        problems = password_problems(field.data or "", email=self.policy_email)
        if problems:
            raise ValidationError(" ".join(problems))


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one typed twice."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(FlaskForm):
    """The e-mail address to send a reset link to."""

    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254), no_control_characters],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Send me a link"))


def _code_field(label, *, numeric: bool = True) -> StringField:
    """Return a field for a one-time code (6 digits, or a recovery code when not numeric)."""
    render_kw = {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
    if numeric:
        render_kw["inputmode"] = "numeric"
    return StringField(
        label,
        validators=[DataRequired(), Length(max=40), no_control_characters],
        render_kw=render_kw,
    )


class SecondFactorForm(FlaskForm):
    """The second step of a login: a code of the app, or one recovery code."""

    code = _code_field(_l("Code from your app, or a recovery code"), numeric=False)
    submit = SubmitField(_l("Verify"))


class EnableTwoFactorForm(FlaskForm):
    """The first code of a newly scanned secret, to prove the app has it."""

    code = _code_field(_l("Code shown by the app"))
    submit = SubmitField(_l("Turn on two-step verification"))


class TwoFactorCodeForm(FlaskForm):
    """A current code, to confirm an action on the second factor (new codes, new device)."""

    code = _code_field(_l("Current code from your app"))


class DisableTwoFactorForm(FlaskForm):
    """The password and a current code, to turn the second factor off."""

    password = PasswordField(
        _l("Password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    code = _code_field(_l("Current code from your app"))
    submit = SubmitField(_l("Turn off two-step verification"))
