"""The training organisation (« dispensateur de la formation ») as the instance configures it.

The certificat de réalisation and the attestation de fin de formation are the training
organisation's documents: they state its name, its « numéro de déclaration d'activité » (NDA,
11 digits, given by the DREETS), its SIRET (14 digits whose Luhn sum is a multiple of 10), its
address, its legal representative (name and title) and the place they are signed at. These are
settings of the instance (``LMS_TRAINING_ORGANISATION_*`` environment variables, or the same
names without ``LMS_`` in ``lms.cfg`` in the instance folder), read like the certificate
signatory's (``lms.certificates.settings``). Producing a document refuses until every one is
set and well formed, naming what to set and where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from lms.config import instance_config_path

PREFIX = "TRAINING_ORGANISATION_"
REQUIRED_SETTINGS = (
    "TRAINING_ORGANISATION_NAME",
    "TRAINING_ORGANISATION_NDA",
    "TRAINING_ORGANISATION_SIRET",
    "TRAINING_ORGANISATION_ADDRESS",
    "TRAINING_ORGANISATION_REPRESENTATIVE_NAME",
    "TRAINING_ORGANISATION_REPRESENTATIVE_TITLE",
    "TRAINING_ORGANISATION_PLACE",
)
# Spaces (also no-break ones) may group the digits as they are printed: « 11 75 5012345 ».
GROUPING = re.compile(r"[\s\u00a0\u202f]+")


@dataclass(frozen=True)
class TrainingOrganisation:
    """The training organisation's particulars, as the documents print them."""

    name: str
    nda: str  # 11 digits
    siret: str  # 14 digits
    address: str
    representative_name: str
    representative_title: str
    place: str


def digits_of(value: object) -> str:
    """Return a setting's text without the spaces that group its digits."""
    return GROUPING.sub("", str(value or ""))


def luhn_valid(number: str) -> bool:
    """Tell whether a string of digits passes the Luhn check (SIREN and SIRET numbers do)."""
    if not number.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def missing_settings() -> list[str]:
    """Name the settings the documents need that the instance leaves unset (``lms.cfg`` names)."""
    config = current_app.config
    return [key for key in REQUIRED_SETTINGS if not str(config.get(key) or "").strip()]


def invalid_settings() -> list[str]:
    """Say what is wrong with each setting that is set but malformed (one sentence each)."""
    config = current_app.config
    problems = []
    nda = digits_of(config.get("TRAINING_ORGANISATION_NDA"))
    if nda and not re.fullmatch(r"\d{11}", nda):
        problems.append(
            _(
                "LMS_TRAINING_ORGANISATION_NDA must be the 11 digits of the activity declaration "
                "number, not “%(value)s”.",
                value=nda,
            )
        )
    siret = digits_of(config.get("TRAINING_ORGANISATION_SIRET"))
    if siret and not re.fullmatch(r"\d{14}", siret):
        problems.append(
            _("LMS_TRAINING_ORGANISATION_SIRET must be 14 digits, not “%(value)s”.", value=siret)
        )
    elif siret and not luhn_valid(siret):
        problems.append(
            _(
                "LMS_TRAINING_ORGANISATION_SIRET “%(value)s” is not a valid SIRET: its check "
                "digit is wrong (a typing error?).",
                value=siret,
            )
        )
    return problems


def settings_problems() -> list[str]:
    """Say, in sentences, everything to fix in the settings before producing documents."""
    problems = []
    if missing := missing_settings():
        problems.append(
            _(
                "Attendance certificates cannot be produced until this instance sets "
                "%(settings)s: set each as an environment variable, or without “LMS_” in "
                "%(file)s, then restart every process that serves the instance.",
                settings=", ".join(f"LMS_{key}" for key in missing),
                file=instance_config_path(current_app),
            )
        )
    return problems + invalid_settings()


def training_organisation() -> TrainingOrganisation | None:
    """Return the training organisation's particulars; None when a setting is missing or wrong."""
    if settings_problems():
        return None
    config = current_app.config

    def text(name: str) -> str:
        return str(config[PREFIX + name]).strip()

    return TrainingOrganisation(
        name=text("NAME"),
        nda=digits_of(config[PREFIX + "NDA"]),
        siret=digits_of(config[PREFIX + "SIRET"]),
        address=text("ADDRESS"),
        representative_name=text("REPRESENTATIVE_NAME"),
        representative_title=text("REPRESENTATIVE_TITLE"),
        place=text("PLACE"),
    )
