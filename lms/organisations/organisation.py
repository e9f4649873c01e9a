"""The organisation that runs the path and certifies: one per installation, read from settings.

Its name and legal details are printed on every document it issues (certificates, the jury's
minutes, attendance sheets, certificats de réalisation), so they are settings of the instance
(``LMS_*`` environment variables, or the same names without ``LMS_`` in ``lms.cfg``), read by
every process when it starts, not records an administrator edits: a document issued yesterday
and one issued today name the organisation as the instance said when each was issued. The
domains that produce documents check and print them; this module only shows them
(``organisation_settings``), with what is missing, on the organisation's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

# (setting, what it is, whether documents refuse to be produced without it)
SETTINGS: tuple[tuple[str, Any, bool], ...] = (
    ("TRAINING_ORGANISATION_NAME", _l("Name"), True),
    ("TRAINING_ORGANISATION_NDA", _l("Activity declaration number (NDA)"), True),
    ("TRAINING_ORGANISATION_SIRET", _l("SIRET"), True),
    ("TRAINING_ORGANISATION_ADDRESS", _l("Postal address"), True),
    ("TRAINING_ORGANISATION_REPRESENTATIVE_NAME", _l("Legal representative"), True),
    ("TRAINING_ORGANISATION_REPRESENTATIVE_TITLE", _l("Legal representative's title"), True),
    ("TRAINING_ORGANISATION_PLACE", _l("Place of signature of its documents"), True),
    ("CERTIFICATE_ORGANISATION", _l("Certifier named on certificates"), False),
    ("CERTIFICATE_SIGNATORY_NAME", _l("Signatory of certificates"), True),
    ("CERTIFICATE_SIGNATORY_TITLE", _l("Signatory's title"), True),
    ("CERTIFICATE_PLACE", _l("Place of signature of certificates"), True),
)


@dataclass(frozen=True)
class OrganisationSetting:
    """One of the organisation's settings: its name, what it says, and its value (or none)."""

    key: str
    label: Any  # a lazy string, translated when shown
    value: str
    required: bool

    @property
    def variable(self) -> str:
        """Name the environment variable that sets it."""
        return f"LMS_{self.key}"

    @property
    def is_missing(self) -> bool:
        """Tell whether a document needs it and the instance leaves it unset."""
        return self.required and not self.value


def organisation_settings() -> list[OrganisationSetting]:
    """Return the organisation's settings as this instance gives them, in the page's order."""
    config = current_app.config
    return [
        OrganisationSetting(key, label, str(config.get(key) or "").strip(), required)
        for key, label, required in SETTINGS
    ]


def organisation_name() -> str:
    """Return the organisation's name as the settings give it (empty when unset)."""
    config = current_app.config
    name = config.get("TRAINING_ORGANISATION_NAME") or config.get("CERTIFICATE_ORGANISATION")
    return str(name or "").strip()
