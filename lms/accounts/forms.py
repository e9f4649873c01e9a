"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError


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
