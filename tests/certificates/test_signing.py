"""Certificates and block attestations come out signed by the organisation (lms.core.pades),
through the real issuing paths: one request, a batch in forked processes, a revocation's
replacement; a lost signed PDF is reported, never rebuilt."""

from __future__ import annotations

import pytest

from lms.certificates import batches
from lms.certificates.batches import Outcome, start_batch
from lms.certificates.errors import CertificateError
from lms.certificates.issuing import certificate_folder, issue_certificate, open_certificate_pdf
from lms.certificates.models import Certificate
from lms.certificates.storage_check import check_storage
from lms.core import pades, storage
from lms.extensions import db
from tests.certificates.helpers import make_certificate_world
from tests.signing import assert_signed
from tests.stores import empty_file_stores

# Issue 17's budget for a certificate PDF, signature included.
MAX_CERTIFICATE_BYTES = 60 * 1024


@pytest.fixture
def world(app):
    """The certifying world, with empty file stores."""
    empty_file_stores()
    yield make_certificate_world()
    empty_file_stores()


def awarded(world, count: int = 1) -> list:
    learners = [world.eligible_learner(display_name=f"Lauréate {n}") for n in range(count)]
    world.award(*learners)
    return learners


def pdf_of(certificate: Certificate) -> bytes:
    with open_certificate_pdf(certificate) as stream:
        return stream.read()


def test_an_issued_certificate_is_signed_and_stays_small(world, signing, app):
    [learner] = awarded(world)
    certificate = issue_certificate(world.cohort, learner, issued_by=world.admin)
    db.session.commit()

    pdf = pdf_of(certificate)
    organisation = certificate.document["organisation"]
    assert_signed(pdf, signing, f"Certificat délivré par {organisation}", "Lyon")
    assert len(pdf) == certificate.pdf_size <= MAX_CERTIFICATE_BYTES
    assert app.config["CERTIFICATE_PLACE"] == "Lyon"


def test_a_block_attestation_is_signed_as_such(world, signing):
    learner = world.eligible_learner(display_name="Bastien Bloc")
    block = world.blocks["BC1"]
    certificate = issue_certificate(world.cohort, learner, issued_by=world.admin, block=block)
    db.session.commit()

    organisation = certificate.document["organisation"]
    reason = f"Attestation de bloc de compétences délivrée par {organisation}"
    assert_signed(pdf_of(certificate), signing, reason, "Lyon")


def test_a_batch_in_forked_processes_signs_every_certificate(world, signing):
    awarded(world, 3)
    batch = start_batch(world.cohort, world.admin)
    db.session.commit()

    results = list(batches.run_in_processes(batch.id, processes=2))

    assert {r.outcome for r in results} == {Outcome.ISSUED}, [r.message for r in results]
    db.session.rollback()
    for certificate in db.session.scalars(db.select(Certificate)):
        organisation = certificate.document["organisation"]
        assert_signed(
            pdf_of(certificate), signing, f"Certificat délivré par {organisation}", "Lyon"
        )


def test_an_identity_that_cannot_sign_refuses_issuing_and_leaves_nothing(
    world, app, monkeypatch, tmp_path, caplog
):
    [learner] = awarded(world)
    monkeypatch.setitem(app.config, "SIGNING_PKCS12", str(tmp_path / "absent.p12"))
    pades.reset_signing_cache()

    with pytest.raises(CertificateError, match="Documents cannot be signed on this server"):
        issue_certificate(world.cohort, learner, issued_by=world.admin)
    db.session.rollback()

    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0
    assert storage.stored_keys(certificate_folder()) == set()
    assert "absent.p12 does not exist" in caplog.text  # the log says why; the page does not


def lose_a_certificate_and_fix(world):
    """Issue a certificate, delete its PDF, run ``check-storage --fix``; return the problem."""
    [learner] = awarded(world)
    certificate = issue_certificate(world.cohort, learner, issued_by=world.admin)
    db.session.commit()
    storage.delete_stored(certificate_folder(), certificate.storage_key)
    check = check_storage(fix=True)
    db.session.commit()
    [problem] = [p for p in check.problems if p.store == "certificates"]
    return problem


def test_a_lost_signed_certificate_is_reported_for_a_backup_and_never_rebuilt(world, signing):
    problem = lose_a_certificate_and_fix(world)
    assert (problem.kind, problem.fixed) == ("missing-file", False)
    assert "signed when issued, so it cannot be rebuilt" in problem.detail
    assert "restore it from a backup" in problem.detail
    assert storage.stored_keys(certificate_folder()) == set()  # nothing signed anew
    [again] = check_storage().remaining  # still reported until restored
    assert (again.subject, again.kind) == (problem.subject, "missing-file")


def test_a_lost_unsigned_certificate_is_still_rebuilt(world):
    assert lose_a_certificate_and_fix(world).fixed
    assert check_storage().remaining == []
