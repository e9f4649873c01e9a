"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from lms.accounts.passwords import MAX_LENGTH, password_problems


def no_control_characters(form, field) -> None:
    """Refuse NUL and other control characters (PostgreSQL text cannot even hold NUL)."""
    if field.data and any(ord(char) < 32 or ord(char) == 127 for char in field.data):
        raise ValidationError(_l("Remove the control characters from this field."))


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
