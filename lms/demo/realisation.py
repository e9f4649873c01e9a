"""The demo's certificats de réalisation: one per learner of the finished cohort, once.

Run after the cohort's sessions and closed attendance sheets exist, so that the hours realised
are those of its sheets. Idempotent: a learner who already holds a certificat de réalisation of
the cohort covering its last day gets no new version, so running the demo again adds nothing.
Where the training organisation's settings are missing or PDFs cannot be rendered, it says so
and the rest of the demo stands.
"""

from __future__ import annotations

import click

from lms.accounts.models import User
from lms.certificates.errors import CertificateError
from lms.certificates.realisation.document import DocumentKind
from lms.certificates.realisation.models import RealisationRecord
from lms.certificates.realisation.services import learners_of, produce_document
from lms.certificates.realisation.settings import settings_problems
from lms.cohorts.models import Cohort
from lms.core.time import local_today
from lms.core.transactions import unit_of_work
from lms.extensions import db

# The training organisation of the certificats de réalisation, written into the demo instance's
# lms.cfg with the certificate settings: Crois/Sens, which designed the path (with its partner
# Pragma-tic for skills development) and works first in Lille. Its numbers are made up, of the
# right form (the SIRET passes the Luhn check; the NDA starts with Hauts-de-France's 32), and its
# address says it is the demo's: no street is invented.
DEMO_ORGANISATION = "Crois/Sens"
DEMO_PLACE = "Lille"
DEMO_TRAINING_ORGANISATION = {
    "TRAINING_ORGANISATION_NAME": DEMO_ORGANISATION,
    "TRAINING_ORGANISATION_NDA": "32591234559",
    "TRAINING_ORGANISATION_SIRET": "98765432100015",
    "TRAINING_ORGANISATION_ADDRESS": "Adresse de démonstration — Lille",
    "TRAINING_ORGANISATION_REPRESENTATIVE_NAME": "Claire Martin",
    "TRAINING_ORGANISATION_REPRESENTATIVE_TITLE": "Directrice (démonstration)",
    "TRAINING_ORGANISATION_PLACE": DEMO_PLACE,
}


def ensure_realisation_documents(cohort: Cohort, admin: User) -> list[RealisationRecord]:
    """Produce the cohort's certificats de réalisation as of its last day, where missing.

    Returns the documents produced by this run (none when every learner already holds one).
    """
    if problems := settings_problems():
        click.echo(f"No demo certificat de réalisation: {' '.join(problems)}")
        return []
    as_of = min(cohort.ends_on, local_today())
    held = set(
        db.session.scalars(
            db.select(RealisationRecord.learner_id).filter_by(
                cohort_id=cohort.id, kind=DocumentKind.REALISATION, as_of=as_of
            )
        )
    )
    produced: list[RealisationRecord] = []
    for learner, _membership in learners_of(cohort):
        if learner.id in held:
            continue
        try:
            with unit_of_work():
                record = produce_document(
                    cohort, learner, DocumentKind.REALISATION, as_of, created_by=admin
                )
        except CertificateError as error:  # no Pango on this machine: the rest of the demo stands
            click.echo(f"No demo certificat de réalisation for {learner.display_name}: {error}")
            return produced
        produced.append(record)
    return produced
