"""Certificats de réalisation and attestations de fin de formation come out signed by the
training organisation; a lost signed one is reported for a backup, never rebuilt."""

from __future__ import annotations

import pytest

from lms.certificates.realisation.document import DocumentKind
from lms.certificates.realisation.services import produce_document, realisation_folder
from lms.certificates.storage_check import check_storage
from lms.core import storage
from lms.core.time import local_today
from lms.extensions import db
from tests.certificates.realisation.support import make_realisation_world
from tests.signing import assert_signed
from tests.stores import empty_file_stores

ORGANISATION = "Institut des Territoires du Bien-Vivre"


@pytest.fixture
def world(organisation):
    empty_file_stores()
    yield make_realisation_world()
    empty_file_stores()


def produce(world, kind):
    record = produce_document(
        world.cohort, world.learners["bruno"], kind, local_today(), created_by=world.admin
    )
    db.session.commit()
    with storage.open_stored(realisation_folder(), record.storage_key) as file:
        return record, file.read()


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (DocumentKind.REALISATION, f"Certificat de réalisation délivré par {ORGANISATION}"),
        (DocumentKind.COMPLETION, f"Attestation de fin de formation délivrée par {ORGANISATION}"),
    ],
)
def test_each_document_is_signed_by_the_training_organisation(world, signing, kind, reason):
    _record, pdf = produce(world, kind)
    assert_signed(pdf, signing, reason, "Lyon")


def test_a_lost_signed_document_is_reported_for_a_backup(world, signing):
    record, _pdf = produce(world, DocumentKind.REALISATION)
    storage.delete_stored(realisation_folder(), record.storage_key)

    [problem] = check_storage(fix=True).remaining
    db.session.commit()

    assert (problem.store, problem.kind) == ("realisation", "missing-file")
    assert "signed when issued, so it cannot be rebuilt" in problem.detail
    assert storage.stored_keys(realisation_folder()) == set()
