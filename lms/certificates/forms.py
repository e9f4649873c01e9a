"""Forms of the certification pages: decisions, issuing, revoking, re-issuing, list filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SearchField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from lms.accounts.forms import no_control_characters
from lms.certificates.models import CertificateState, DecisionOutcome
from lms.core.text import multiline_text

MAX_REASON_LENGTH = 2000

OUTCOME_LABELS = {
    DecisionOutcome.AWARDED: _l("Awarded"),
    DecisionOutcome.PARTIAL: _l("Partially validated"),
    DecisionOutcome.DEFERRED: _l("Deferred"),
    DecisionOutcome.REFUSED: _l("Refused"),
}
STATE_LABELS = {
    CertificateState.VALID: _l("Valid"),
    CertificateState.REVOKED: _l("Revoked"),
    CertificateState.SUPERSEDED: _l("Superseded"),
}


def strip(value: str | None) -> str | None:
    """Drop the spaces around a typed value."""
    return value.strip() if isinstance(value, str) else value


def reason_field(label, validators=(), *, field_id: str | None = None) -> TextAreaField:
    """Return a reason text area: at most MAX_REASON_LENGTH characters, paragraphs allowed.

    ``field_id`` tells apart the reasons of forms shown on one page (its name stays "reason").
    """
    return TextAreaField(
        label,
        id=field_id,
        validators=[*validators, Length(max=MAX_REASON_LENGTH), multiline_text],
        filters=[strip],
    )


class DecisionForm(FlaskForm):
    """The certification decision: awarded, deferred or refused, and why.

    ``is_eligible`` is set by the page: awarding a learner who is not eligible is an override
    and needs a reason, like deferring or refusing (the service checks the same rule).
    """

    outcome = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice(outcome.value, label)
            for outcome, label in OUTCOME_LABELS.items()
            if outcome != DecisionOutcome.PARTIAL  # a jury's outcome only
        ],
        validators=[InputRequired(message=_l("Choose a decision."))],
    )
    reason = reason_field(_l("Reason"))

    def __init__(self, *args, is_eligible: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.is_eligible = is_eligible

    def validate_reason(self, field) -> None:
        """Ask for a reason when the decision needs one."""
        if field.data:
            return
        if self.outcome.data in (DecisionOutcome.DEFERRED, DecisionOutcome.REFUSED):
            raise ValidationError(_l("Say why the certification is deferred or refused."))
        if self.outcome.data == DecisionOutcome.AWARDED and not self.is_eligible:
            raise ValidationError(
                _l("This learner is not eligible: awarding the certificate anyway needs a reason.")
            )


class IssueForm(FlaskForm):
    """Issue one certificate: ``scope`` is ``path`` or the code of a block of the path."""

    # A code, never free text: nothing else may reach the database (PostgreSQL refuses NUL).
    scope = HiddenField(validators=[DataRequired(), Length(max=20), Regexp(r"^[A-Za-z0-9._-]+$")])


class RevokeForm(FlaskForm):
    """Revoke a certificate: a reason and an explicit confirmation."""

    reason = reason_field(_l("Reason for revoking"), [DataRequired()], field_id="revoke-reason")
    confirm = BooleanField(
        _l("I confirm: anyone who checks this certificate will see that it is revoked."),
        validators=[DataRequired(message=_l("Tick the box to confirm the revocation."))],
    )


class ReissueForm(FlaskForm):
    """Re-issue a certificate (e.g. after a name correction): a reason is required."""

    reason = reason_field(_l("Reason for re-issuing"), [DataRequired()], field_id="reissue-reason")


class FilterForm(FlaskForm):
    """A form read from the query string of a GET page: no CSRF token to check."""

    class Meta:
        csrf = False


class CertificateFilterForm(FilterForm):
    """Search and filters of the certificates list; ``cohort`` choices are set by the page."""

    q = SearchField(
        _l("Number, learner's name or e-mail"),
        validators=[Optional(), Length(max=254), no_control_characters],
        filters=[strip],
    )
    cohort = SelectField(
        _l("Cohort"), choices=[SelectChoice("", _l("Any cohort"))], default="", coerce=str
    )
    state = SelectField(
        _l("State"),
        choices=[
            SelectChoice("", _l("Any state")),
            *(SelectChoice(state.value, label) for state, label in STATE_LABELS.items()),
        ],
        default="",
    )

    def set_cohorts(self, cohorts) -> None:
        """Offer the cohorts, by name."""
        self.cohort.choices = [
            SelectChoice("", _l("Any cohort")),
            *(SelectChoice(str(cohort.id), cohort.name) for cohort in cohorts),
        ]
