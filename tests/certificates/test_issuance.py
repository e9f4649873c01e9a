"""Issuing, revoking and re-issuing certificates through the services (DESIGN.md §7)."""

from __future__ import annotations

import hashlib
import sys

import pytest

from lms.accounts.models import AuditEvent
from lms.certificates.decisions import record_decision
from lms.certificates.document import CertificateKind, document_from_json
from lms.certificates.errors import CertificateError
from lms.certificates.issuing import (
    certificate_by_code,
    certificate_folder,
    issue_certificate,
    open_certificate_pdf,
)
from lms.certificates.models import Certificate, CertificateState, DecisionOutcome
from lms.certificates.revocation import reissue_certificate, revoke_certificate
from lms.core import storage
from lms.extensions import db
from tests.certificates.helpers import make_certificate_world


@pytest.fixture
def world():
    """The certifying world of tests/certificates/helpers.py."""
    return make_certificate_world()


def certificate_count() -> int:
    return db.session.scalar(db.select(db.func.count(Certificate.id)))


def test_issuing_stores_the_pdf_under_a_random_key_with_its_hash(world):
    learner = world.eligible_learner(display_name="Zoé Lefèvre")
    world.award(learner)

    certificate = issue_certificate(world.cohort, learner, issued_by=world.admin)
    db.session.commit()

    with open_certificate_pdf(certificate) as stored:
        pdf = stored.read()
    assert pdf.startswith(b"%PDF-")
    assert certificate.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert certificate.pdf_size == len(pdf)
    assert storage.stored_keys(certificate_folder()) == {certificate.storage_key}
    assert certificate.number.startswith(f"EBV-{certificate.issued_at.year}-")
    assert len(certificate.code) >= 32
    assert certificate_by_code(certificate.code) == certificate
    assert db.session.scalar(db.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == (
        "certificate.issue"
    )


def test_the_document_states_the_learner_the_path_and_every_block(world):
    learner = world.eligible_learner(display_name="Zoé Lefèvre")
    world.award(learner)

    certificate = issue_certificate(world.cohort, learner, issued_by=world.admin)

    document = document_from_json(certificate.document)
    assert document.kind is CertificateKind.PATH
    assert document.learner_name == "Zoé Lefèvre"
    assert document.number == certificate.number
    assert document.verification_url.endswith(f"/verify/{certificate.code}")
    assert [block.code for block in document.blocks] == ["BC1", "BC2"]
    assert [module.code for module in document.modules][:2] == ["M1", "M2"]
    assert {(line.code, line.level) for line in document.competencies} == {
        ("C1.1", 3),
        ("C1.2", 3),
        ("C2.1", 3),
    }
    assert (document.signatory_name, document.place) == ("Claire Martin", "Lyon")


def test_issuing_twice_gives_the_same_certificate(world):
    learner = world.eligible_learner()
    world.award(learner)

    first = issue_certificate(world.cohort, learner, issued_by=world.admin)
    db.session.commit()
    second = issue_certificate(world.cohort, learner, issued_by=world.admin)
    db.session.commit()

    assert first.id == second.id
    assert certificate_count() == 1
    assert len(storage.stored_keys(certificate_folder())) == 1


def test_no_certificate_without_an_awarded_decision(world):
    learner = world.eligible_learner()

    with pytest.raises(CertificateError, match="No decision awards"):
        issue_certificate(world.cohort, learner, issued_by=world.admin)
    assert certificate_count() == 0
    assert storage.stored_keys(certificate_folder()) == set()


def test_a_deferred_decision_does_not_allow_issuing(world):
    learner = world.eligible_learner()
    record_decision(
        world.cohort,
        learner,
        outcome=DecisionOutcome.DEFERRED,
        reason="Dossier incomplet.",
        decided_by=world.admin,
    )

    with pytest.raises(CertificateError):
        issue_certificate(world.cohort, learner, issued_by=world.admin)


def test_an_override_allows_issuing_to_a_learner_who_is_not_eligible(world):
    learner = world.enrol()
    record_decision(
        world.cohort,
        learner,
        outcome=DecisionOutcome.AWARDED,
        reason="Validation des acquis de l'expérience.",
        decided_by=world.admin,
    )

    certificate = issue_certificate(world.cohort, learner, issued_by=world.admin)

    assert certificate.decision.is_override


def test_a_block_attestation_covers_its_block_only(world):
    learner = world.enrol()
    world.rate(learner, {"C1.1": 4, "C1.2": 3, "C2.1": 1})

    attestation = issue_certificate(
        world.cohort, learner, issued_by=world.admin, block=world.blocks["BC1"]
    )

    document = document_from_json(attestation.document)
    assert attestation.kind is CertificateKind.BLOCK
    assert attestation.scope == "BC1"
    assert document.is_partial
    assert [block.code for block in document.blocks] == ["BC1"]
    assert {line.code for line in document.competencies} == {"C1.1", "C1.2"}
    with pytest.raises(CertificateError, match="has not validated the block BC2"):
        issue_certificate(world.cohort, learner, issued_by=world.admin, block=world.blocks["BC2"])


def test_issuing_needs_the_signatory_settings(world, app, monkeypatch):
    learner = world.eligible_learner()
    world.award(learner)
    monkeypatch.setitem(app.config, "CERTIFICATE_PLACE", "  ")

    with pytest.raises(CertificateError, match="LMS_CERTIFICATE_PLACE"):
        issue_certificate(world.cohort, learner, issued_by=world.admin)


def test_a_failed_insert_leaves_no_stored_file(world, monkeypatch):
    learner = world.eligible_learner()
    world.award(learner)

    def broken_flush(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(db.session, "flush", broken_flush)
    with pytest.raises(RuntimeError):
        issue_certificate(world.cohort, learner, issued_by=world.admin)
    monkeypatch.undo()
    db.session.rollback()

    assert certificate_count() == 0
    assert storage.stored_keys(certificate_folder()) == set()


def test_revoking_keeps_the_record_and_says_when_and_why(world):
    learner = world.eligible_learner()
    world.award(learner)
    certificate = issue_certificate(world.cohort, learner, issued_by=world.admin)

    revoke_certificate(certificate, revoked_by=world.admin, reason="Fraude avérée.")
    db.session.commit()

    assert certificate.state is CertificateState.REVOKED
    assert certificate.revoked_at is not None
    assert certificate.revocation_reason == "Fraude avérée."
    assert not certificate.can_download(learner)
    with pytest.raises(CertificateError, match="Only a valid certificate can be revoked"):
        revoke_certificate(certificate, revoked_by=world.admin, reason="Encore.")


def test_revoking_needs_a_reason(world):
    learner = world.eligible_learner()
    world.award(learner)
    certificate = issue_certificate(world.cohort, learner, issued_by=world.admin)

    with pytest.raises(CertificateError, match="Say why"):
        revoke_certificate(certificate, revoked_by=world.admin, reason=" ")
    assert certificate.is_valid


def test_reissuing_supersedes_the_old_certificate_with_the_corrected_name(world):
    learner = world.eligible_learner(display_name="Zoe Lefevre")
    world.award(learner)
    old = issue_certificate(world.cohort, learner, issued_by=world.admin)
    db.session.commit()
    learner.display_name = "Zoé Lefèvre"

    new = reissue_certificate(old, issued_by=world.admin, reason="Accents du nom corrigés.")
    db.session.commit()

    assert old.state is CertificateState.SUPERSEDED
    assert old.superseded_by == new
    assert new.is_valid
    assert new.supersedes == old
    assert new.number != old.number
    assert new.code != old.code
    assert document_from_json(new.document).learner_name == "Zoé Lefèvre"
    assert document_from_json(old.document).learner_name == "Zoe Lefevre"
    assert len(storage.stored_keys(certificate_folder())) == 2
    with pytest.raises(CertificateError, match="Only a valid certificate can be re-issued"):
        reissue_certificate(old, issued_by=world.admin, reason="Encore.")


def test_a_new_certificate_may_follow_a_revoked_one(world):
    learner = world.eligible_learner()
    world.award(learner)
    revoked = issue_certificate(world.cohort, learner, issued_by=world.admin)
    revoke_certificate(revoked, revoked_by=world.admin, reason="Erreur de saisie.")
    db.session.commit()

    again = issue_certificate(world.cohort, learner, issued_by=world.admin)
    db.session.commit()

    assert again.id != revoked.id
    assert again.is_valid


def test_a_server_without_its_pdf_library_refuses_clearly_and_keeps_nothing(world, monkeypatch):
    learner = world.eligible_learner()
    world.award(learner)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as when Pango is not installed

    with pytest.raises(CertificateError, match="PDF library is missing"):
        issue_certificate(world.cohort, learner, issued_by=world.admin)
    assert certificate_count() == 0
    assert storage.stored_keys(certificate_folder()) == set()
