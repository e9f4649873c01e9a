"""Forms of the territories' pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from lms.accounts.forms import no_control_characters
from lms.core.text import multiline_text
from lms.organisations.services import CODE_PATTERN


def strip(value: str | None) -> str | None:
    """Drop the spaces around a typed or pasted value."""
    return value.strip() if isinstance(value, str) else value


def lower(value: str | None) -> str | None:
    """Lower a code's letters: “Lille” is the code “lille”."""
    return value.lower() if isinstance(value, str) else value


class TerritoryForm(FlaskForm):
    """Code, name, area, local co-development company and description of a territory."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            no_control_characters,
            Regexp(
                f"^{CODE_PATTERN.pattern}$",
                message=_l("Use lower-case letters, digits and single hyphens: “lille”."),
            ),
        ],
        filters=[strip, lower],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=120), no_control_characters],
        filters=[strip],
    )
    area = StringField(
        _l("Area covered"), validators=[Length(max=200), no_control_characters], filters=[strip]
    )
    company = StringField(
        _l("Local co-development company"),
        validators=[Length(max=200), no_control_characters],
        filters=[strip],
    )
    description = TextAreaField(
        _l("Description"), validators=[Length(max=5000), multiline_text], filters=[strip]
    )
    submit = SubmitField(_l("Save"))

    def values(self) -> dict[str, str]:
        """Return the territory's fields as the service takes them."""
        return {
            name: getattr(self, name).data or ""
            for name in ("code", "name", "area", "company", "description")
        }


class LocalAdminForm(FlaskForm):
    """Name a local administrator by the e-mail address of an existing account."""

    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254), no_control_characters],
        filters=[strip],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Add"))


class ActionForm(FlaskForm):
    """A button that changes something (delete, remove): its CSRF token only."""
