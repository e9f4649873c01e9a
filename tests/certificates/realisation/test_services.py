"""Producing certificats de réalisation and attestations: hours, versions, refusals, batches."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from lms.accounts.models import AuditEvent
from lms.certificates.batches import run_batch
from lms.certificates.models import BatchState, IssuanceBatch
from lms.certificates.realisation.batches import start_document_batch
from lms.certificates.realisation.document import DocumentKind
from lms.certificates.realisation.models import RealisationRecord
from lms.certificates.realisation.services import (
    RealisationError,
    produce_document,
    realisation_folder,
)
from lms.certificates.realisation.settings import luhn_valid, settings_problems
from lms.certificates.storage_check import check_storage
from lms.cohorts.models import Funder
from lms.core import storage
from lms.core.time import local_today
from lms.extensions import db
from tests.certificates.realisation.support import EXPECTED, make_realisation_world
from tests.certificates.test_minutes import flat, pages_of
from tests.factories import CertificationDecisionFactory
from tests.stores import empty_file_stores


@pytest.fixture
def world(organisation):
    return make_realisation_world()


def produce(world, slug, kind=DocumentKind.REALISATION, as_of=None):
    record = produce_document(
        world.cohort,
        world.learners[slug],
        kind,
        as_of or local_today(),
        created_by=world.admin,
    )
    db.session.commit()
    return record


def pdf_of(record) -> bytes:
    with storage.open_stored(realisation_folder(), record.storage_key) as file:
        return file.read()


def test_the_certificat_states_the_hours_realised_on_closed_sheets(world, tmp_path):
    record = produce(world, "anna")
    # 3 h 30 present + 4 h late + 2 h present on closed sheets, 2 h remote for M1 completed;
    # the open sheet's 3 h do not count.
    assert (record.realised_minutes, record.remote_minutes) == EXPECTED["anna"] == (690, 120)
    assert record.version == 1
    assert record.funder == Funder.OPCO
    assert record.starts_on == world.cohort.starts_on
    assert record.ends_on == record.as_of == local_today()
    pdf = pdf_of(record)
    assert hashlib.sha256(pdf).hexdigest() == record.sha256
    assert record.size == len(pdf)
    text = flat("\n".join(pages_of(pdf, tmp_path)))
    assert "Pour une durée de 11 h 30" in text
    assert "dont 2 h de formation à distance" in text
    assert "Anna Arnaud" in text
    assert "Institut des Territoires du Bien-Vivre" in text
    assert "Déclaration d’activité n° 84 69 1234569" in text
    assert "SIRET 987 654 321 00015" in text
    assert "Claire Martin, Directrice générale" in text
    assert f"Entrepreneur·e du bien-vivre, version 1 — {world.cohort.name}" in text
    assert "Fait à Lyon" in text
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="realisation.produce"))
    assert event.actor_id == world.admin.id
    assert event.after["realised_minutes"] == 690


@pytest.mark.parametrize("slug", ["bruno", "chloe", "dan"])
def test_absent_excused_and_missing_records_are_not_realised(world, slug):
    record = produce(world, slug)
    assert (record.realised_minutes, record.remote_minutes) == EXPECTED[slug]


def test_a_document_at_an_earlier_day_counts_the_sessions_held_by_then(world):
    record = produce(world, "anna", as_of=local_today() - timedelta(days=6))
    # Only the session ten days ago; M1 opened yesterday, so its remote hours are not credited.
    assert (record.realised_minutes, record.remote_minutes) == (210, 0)
    assert record.ends_on == local_today() - timedelta(days=6)


def test_every_production_is_a_new_version_and_earlier_ones_stay(world):
    first = produce(world, "bruno")
    second = produce(world, "bruno")
    attestation = produce(world, "bruno", DocumentKind.COMPLETION)
    assert (first.version, second.version, attestation.version) == (1, 2, 1)
    assert len({first.reference, second.reference, attestation.reference}) == 3
    assert len({first.storage_key, second.storage_key}) == 2
    assert db.session.scalar(db.select(db.func.count(RealisationRecord.id))) == 3


def test_the_attestation_states_the_results_and_the_decision(world, tmp_path):
    world.certificates.rate(world.learners["anna"], {"C1.1": 3, "C1.2": 1, "C2.1": 4})
    CertificationDecisionFactory(
        learner=world.learners["anna"], cohort=world.cohort, decided_by=world.admin
    )
    record = produce(world, "anna", DocumentKind.COMPLETION)
    text = flat("\n".join(pages_of(pdf_of(record), tmp_path)))
    assert "Attestation de fin de formation" in text
    assert "Durée réalisée 11 h 30" in text
    assert "BC1 · Diagnostiquer un territoire et ses acteurs" in text
    assert "Compétence C1.1 acquis" in text
    assert "insuffisant, en cours d’acquisition" in text
    assert "Compétence C2.1 maîtrisé" in text
    assert "Certification awarded" not in text  # the learner's language: French
    assert "Certification obtenue (validation totale)" in text


def test_an_english_speaking_learner_gets_an_english_document(organisation, tmp_path):
    world = make_realisation_world(anna={"locale": "en"})
    record = produce(world, "anna")
    text = flat("\n".join(pages_of(pdf_of(record), tmp_path)))
    assert "Certificate of completion of training hours" in text
    assert "For a duration of 11 h 30 min" in text


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "is in the future"), (-40, "is before the cohort starts")],
)
def test_a_day_outside_the_cohort_or_in_the_future_is_refused(world, days, message):
    with pytest.raises(RealisationError, match=message):
        produce(world, "anna", as_of=local_today() + timedelta(days=days))
    assert db.session.scalar(db.select(db.func.count(RealisationRecord.id))) == 0
    assert storage.stored_keys(realisation_folder()) == set()


def test_someone_who_is_not_a_learner_of_the_cohort_is_refused(world):
    with pytest.raises(RealisationError, match="is not a learner of"):
        produce_document(
            world.cohort,
            world.trainer,
            DocumentKind.REALISATION,
            local_today(),
            created_by=world.admin,
        )


def test_missing_settings_refuse_naming_them(app, monkeypatch):
    world = make_realisation_world()
    monkeypatch.setitem(app.config, "TRAINING_ORGANISATION_NAME", "Institut")
    with pytest.raises(RealisationError) as refused:
        produce(world, "anna")
    message = str(refused.value)
    for name in ("NDA", "SIRET", "ADDRESS", "REPRESENTATIVE_NAME", "REPRESENTATIVE_TITLE", "PLACE"):
        assert f"LMS_TRAINING_ORGANISATION_{name}" in message
    assert "LMS_TRAINING_ORGANISATION_NAME," not in message
    assert "lms.cfg" in message
    assert storage.stored_keys(realisation_folder()) == set()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("TRAINING_ORGANISATION_NDA", "1234", "must be the 11 digits"),
        ("TRAINING_ORGANISATION_NDA", "8469123456A", "must be the 11 digits"),
        ("TRAINING_ORGANISATION_SIRET", "98765432100", "must be 14 digits"),
        ("TRAINING_ORGANISATION_SIRET", "98765432100016", "its check digit is wrong"),
    ],
)
def test_malformed_numbers_are_refused_with_a_clear_message(
    app, organisation, monkeypatch, setting, value, message
):
    monkeypatch.setitem(app.config, setting, value)
    problems = settings_problems()
    assert len(problems) == 1
    assert message in problems[0]
    assert f"LMS_{setting}" in problems[0]


def test_the_luhn_check():
    assert luhn_valid("98765432100015")
    assert luhn_valid("73282932000074")  # a real SIRET's shape, its check digit right
    assert not luhn_valid("73282932000075")
    assert not luhn_valid("7328293200007a")


def test_a_batch_for_one_funder_produces_exactly_its_learners_documents(world):
    batch = start_document_batch(
        world.cohort, DocumentKind.REALISATION, local_today(), Funder.OPCO, world.admin
    )
    db.session.commit()
    assert sorted(batch.learner_ids) == sorted(
        [world.learners["anna"].id, world.learners["chloe"].id]
    )
    assert run_batch(batch.id) == {"issued": 2, "held": 0, "failed": 0}
    batch = db.session.get(IssuanceBatch, batch.id, populate_existing=True)
    assert (batch.state, batch.total, batch.issued, batch.failed) == (BatchState.FINISHED, 2, 2, 0)
    records = db.session.scalars(db.select(RealisationRecord)).all()
    assert sorted(r.learner_id for r in records) == sorted(batch.learner_ids)
    assert {r.funder for r in records} == {Funder.OPCO}
    assert {r.batch_id for r in records} == {batch.id}
    by_learner = {r.learner_id: r for r in records}
    chloe = by_learner[world.learners["chloe"].id]
    assert (chloe.realised_minutes, chloe.remote_minutes) == EXPECTED["chloe"]
    # Run again: the learners it served are skipped, nothing new is produced.
    assert run_batch(batch.id) == {"issued": 0, "held": 2, "failed": 0}
    assert db.session.scalar(db.select(db.func.count(RealisationRecord.id))) == 2


def test_a_batch_of_a_funder_nobody_has_is_refused(world):
    with pytest.raises(RealisationError, match="No learner of this cohort is funded by"):
        start_document_batch(
            world.cohort, DocumentKind.REALISATION, local_today(), Funder.FRANCE_TRAVAIL, None
        )


def test_a_batch_of_every_learner_records_one_failure_and_goes_on(world, app, monkeypatch):
    batch = start_document_batch(
        world.cohort, DocumentKind.COMPLETION, local_today(), None, world.admin
    )
    db.session.commit()
    assert batch.total == 4
    # Bruno leaves the cohort meanwhile: his document is refused, the others are produced.
    from lms.cohorts.models import Membership

    db.session.execute(
        db.delete(Membership).where(Membership.user_id == world.learners["bruno"].id)
    )
    db.session.commit()
    assert run_batch(batch.id) == {"issued": 3, "held": 0, "failed": 1}
    batch = db.session.get(IssuanceBatch, batch.id, populate_existing=True)
    assert batch.errors == [
        {
            "learner_id": world.learners["bruno"].id,
            "message": f"Bruno Bayle is not a learner of {world.cohort.name}.",
        }
    ]
    assert batch.state == BatchState.FINISHED


def test_a_second_batch_of_the_same_kind_waits_for_the_first(world):
    start_document_batch(world.cohort, DocumentKind.REALISATION, local_today(), None, world.admin)
    db.session.commit()
    with pytest.raises(RealisationError, match="already under way"):
        start_document_batch(
            world.cohort, DocumentKind.REALISATION, local_today(), None, world.admin
        )


def test_the_storage_check_covers_the_documents_and_rebuilds_a_lost_pdf(world):
    empty_file_stores()  # files other tests of this worker left have no rows here
    record = produce(world, "bruno")
    assert check_storage().remaining == []
    storage.delete_stored(realisation_folder(), record.storage_key)
    (problem,) = check_storage().remaining
    assert (problem.store, problem.kind) == ("realisation", "missing-file")
    repaired = check_storage(fix=True)
    db.session.commit()
    assert [p.fixed for p in repaired.problems] == [True]
    assert hashlib.sha256(pdf_of(record)).hexdigest() == record.sha256
    assert check_storage().remaining == []


def test_the_demo_produces_each_learner_s_certificat_once(world, capsys):
    from lms.demo.realisation import ensure_realisation_documents

    produced = ensure_realisation_documents(world.cohort, world.admin)
    assert sorted(record.learner_id for record in produced) == sorted(
        learner.id for learner in world.learners.values()
    )
    assert ensure_realisation_documents(world.cohort, world.admin) == []
    assert db.session.scalar(db.select(db.func.count(RealisationRecord.id))) == 4


def test_the_demo_says_why_it_produces_nothing_without_settings(app, capsys):
    from lms.demo.realisation import ensure_realisation_documents

    world = make_realisation_world()
    assert ensure_realisation_documents(world.cohort, world.admin) == []
    assert "LMS_TRAINING_ORGANISATION_NAME" in capsys.readouterr().out
