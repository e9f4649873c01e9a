"""Forms of the jury pages: the session, a member, opening, reopening, a vote, closing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.accounts.forms import no_control_characters
from lms.certificates.forms import MAX_REASON_LENGTH, reason_field, strip
from lms.certificates.jury.models import Proposal
from lms.core.dates import LocalDateField
from lms.core.text import multiline_text

PROPOSAL_LABELS = {
    Proposal.AWARD_PATH: _l("Award the path certificate"),
    Proposal.AWARD_BLOCKS: _l("Validate some blocks (partial validation)"),
    Proposal.DEFER: _l("Defer"),
    Proposal.REFUSE: _l("Refuse"),
}
LANGUAGES = [SelectChoice("fr", "Français"), SelectChoice("en", "English")]


class JuryForm(FlaskForm):
    """When and where the jury sits."""

    held_on = LocalDateField(_l("Date"), validators=[InputRequired(message=_l("Give a date."))])
    place = StringField(
        _l("Place"), validators=[Length(max=200), no_control_characters], filters=[strip]
    )
    is_remote = BooleanField(_l("The jury sits remotely"))


class MemberForm(FlaskForm):
    """Seat a person: an existing account by e-mail, or a new one invited by e-mail."""

    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254), no_control_characters],
        filters=[strip],
    )
    display_name = StringField(
        _l("Name (to invite someone new)"),
        validators=[Optional(), Length(max=120), no_control_characters],
        filters=[strip],
    )
    locale = SelectField(_l("Language of the invitation"), choices=LANGUAGES, default="fr")
    seat = SelectField(_l("Seat"), validators=[InputRequired()])
    organisation = StringField(
        _l("Organisation"),
        validators=[Length(max=200), no_control_characters],
        filters=[strip],
    )
    is_president = BooleanField(_l("President of the jury"))
    access_ends_on = LocalDateField(
        _l("Access ends on"), validators=[InputRequired(message=_l("Give a date."))]
    )


class ActionForm(FlaskForm):
    """A button (open, close, remove): the CSRF token only."""


class ReopenForm(FlaskForm):
    """Reopening a closed jury needs a reason."""

    reason = reason_field(_l("Why reopen the jury?"), [DataRequired()])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VoteForm(FlaskForm):
    """A member's proposal on a candidate, with a comment and the jury's recommendations."""

    proposal = RadioField(
        _l("Your proposal"),
        choices=[
            SelectChoice(proposal.value, label) for proposal, label in PROPOSAL_LABELS.items()
        ],
        validators=[InputRequired(message=_l("Choose a proposal."))],
    )
    blocks = MultiCheckboxField(_l("Blocks validated (partial validation only)"), choices=[])
    comment = TextAreaField(
        _l("Comment"),
        validators=[Length(max=MAX_REASON_LENGTH), multiline_text],
        filters=[strip],
    )
    recommendations = TextAreaField(
        _l("Recommendations to the candidate (préconisations, printed in the minutes)"),
        validators=[Length(max=MAX_REASON_LENGTH), multiline_text],
        filters=[strip],
    )
    version = HiddenField()

    def expected_version(self) -> int | None:
        """Return the version of the vote the member saw (None: no vote yet)."""
        try:
            return int(self.version.data) if self.version.data else None
        except ValueError:
            return -1  # never a version: the service answers that the vote changed
