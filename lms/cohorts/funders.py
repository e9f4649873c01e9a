"""Who pays for a learner's training (``Membership.funder``): the labels and how a file names one.

The certificat de réalisation goes to the funder, and the organisation reports hours per funder:
every page, export and document names a funder with ``funder_label`` (French « CPF », « OPCO »,
« Employeur », « France Travail », « Autofinancement », « Autre »). A file (the members import)
may name it by its code (``cpf``, ``france_travail``) or by its label in English or French
(``parse_funder``).
"""

from __future__ import annotations

import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.cohorts.models import Funder

FUNDER_LABELS = {
    Funder.CPF: _l("CPF"),
    Funder.OPCO: _l("OPCO"),
    Funder.EMPLOYER: _l("Employer"),
    Funder.FRANCE_TRAVAIL: _l("France Travail"),
    Funder.SELF: _l("Self-funded"),
    Funder.OTHER: _l("Other"),
}

# Every way a file may name a funder, besides its code: the labels in both languages.
_NAMES = {
    Funder.CPF: ("cpf", "compte personnel de formation"),
    Funder.OPCO: ("opco",),
    Funder.EMPLOYER: ("employer", "employeur", "entreprise"),
    Funder.FRANCE_TRAVAIL: ("france travail", "pole emploi", "francetravail"),
    Funder.SELF: ("self-funded", "self funded", "self", "autofinancement", "personnel"),
    Funder.OTHER: ("other", "autre"),
}


def funder_label(funder: Funder | str | None) -> str:
    """Return how a page names a funder (a ``Funder`` or its code); « Non renseigné » for None."""
    if funder is None or funder == "":
        return _("Not recorded")
    return str(FUNDER_LABELS[Funder(funder)])


def _folded(text: str) -> str:
    """Return the text lower-cased, without accents, its spaces, hyphens and underscores single."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(plain.lower().replace("_", " ").split())


_BY_NAME = {
    _folded(name): funder for funder, names in _NAMES.items() for name in (funder.value, *names)
}


def parse_funder(text: str | None) -> Funder | None:
    """Return the funder a file names (its code or label, any case or accents); None when empty.

    Raises ``ValueError`` naming the value and the accepted codes when it names none.
    """
    if text is None or not text.strip():
        return None
    found = _BY_NAME.get(_folded(text))
    if found is None:
        raise ValueError(
            _(
                "“%(value)s” is not a known funder (use one of: %(codes)s)",
                value=text.strip(),
                codes=", ".join(funder.value for funder in Funder),
            )
        )
    return found
