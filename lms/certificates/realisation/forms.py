"""Forms of the realisation pages: one learner's document, a cohort's (or a funder's) batch."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from lms.certificates.realisation.document import DocumentKind
from lms.cohorts.models import Funder
from lms.core.dates import LocalDateField

KIND_LABELS = {
    DocumentKind.REALISATION: _l("Certificat de réalisation (attendance certificate)"),
    DocumentKind.COMPLETION: _l("Attestation de fin de formation (end-of-training attestation)"),
}
# Short names, for lists and tables.
KIND_NAMES = {
    DocumentKind.REALISATION: _l("Certificat de réalisation"),
    DocumentKind.COMPLETION: _l("Attestation de fin de formation"),
}
ALL_FUNDERS = ""


class ProduceForm(FlaskForm):
    """Produce one learner's document, covering the cohort up to a day."""

    kind = RadioField(
        _l("Document"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default=DocumentKind.REALISATION.value,
        validators=[InputRequired(message=_l("Choose a document."))],
    )
    as_of = LocalDateField(
        _l("Covering the training up to"),
        validators=[InputRequired(message=_l("Give a date."))],
    )


class BatchForm(ProduceForm):
    """Produce the document of every learner of the cohort, or of one funder's learners."""

    funder = SelectField(_l("Learners"), validators=[Optional()], default=ALL_FUNDERS)

    def set_funders(self, labels: dict[Funder, str]) -> None:
        """Offer every learner, or one funder's learners."""
        self.funder.choices = [SelectChoice(ALL_FUNDERS, _l("Every learner of the cohort"))] + [
            SelectChoice(funder.value, label) for funder, label in labels.items()
        ]

    @property
    def chosen_funder(self) -> Funder | None:
        return Funder(self.funder.data) if self.funder.data else None
