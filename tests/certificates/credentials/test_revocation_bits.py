"""Revoking or superseding a certificate sets its credential's bit in the same transaction."""

from __future__ import annotations

import pytest

from lms.certificates import issuing
from lms.certificates.credentials import keys, status
from lms.certificates.credentials.models import StatusList
from lms.certificates.errors import CertificateError
from lms.certificates.models import Certificate, CertificateState
from lms.certificates.revocation import reissue_certificate, revoke_certificate
from lms.core import dataintegrity
from lms.extensions import db
from tests.certificates.credentials.support import issue_credential
from tests.certificates.helpers import make_certificate_world
from tests.factories import CertificateFactory, UserFactory
from tests.web.helpers import log_in


@pytest.fixture
def world():
    return make_certificate_world()


def served_bit(client, issued) -> bool:
    """Return the credential's bit as a verifier reads it: from the served, signed list."""
    served = client.get(f"/credentials/status/{issued.status_list_id}").get_json()
    assert dataintegrity.verify(served, keys.public_key_for).valid
    bits = status.decode_bits(served["credentialSubject"]["encodedList"])
    return status.is_set(bits, issued.status_index)


def stored_bit(issued) -> bool:
    db.session.expire_all()
    status_list = db.session.get(StatusList, issued.status_list_id)
    return status.is_set(status_list.bits, issued.status_index)


def credentials_for(count: int):
    """Return ``count`` certificates with credentials, committed."""
    pairs = []
    for _ in range(count):
        certificate = CertificateFactory()
        pairs.append((certificate, issue_credential(certificate)))
    db.session.commit()
    return pairs


def test_revoking_sets_the_bit_in_the_same_commit_and_leaves_the_others(client):
    _first, (second, issued), _third = credentials_for(3)
    admin = UserFactory(is_admin=True)
    revoke_certificate(second, revoked_by=admin, reason="Délivré par erreur.")
    db.session.commit()
    assert stored_bit(issued)
    assert served_bit(client, issued)
    status_list = db.session.get(StatusList, issued.status_list_id)
    set_bits = [i for i in range(status_list.size) if status.is_set(status_list.bits, i)]
    assert set_bits == [issued.status_index]
    assert status_list.signed_version == status_list.version == 1


def test_a_revocation_rolled_back_leaves_the_bit_clear(client):
    ((certificate, issued),) = credentials_for(1)
    revoke_certificate(certificate, revoked_by=UserFactory(is_admin=True), reason="Erreur.")
    db.session.rollback()
    db.session.refresh(certificate)
    assert certificate.state == CertificateState.VALID
    assert not stored_bit(issued)
    assert not served_bit(client, issued)
    assert db.session.get(StatusList, issued.status_list_id).version == 0


def test_a_refused_revocation_sets_no_bit():
    ((certificate, issued),) = credentials_for(1)
    with pytest.raises(CertificateError):
        revoke_certificate(certificate, revoked_by=UserFactory(is_admin=True), reason=" ")
    db.session.rollback()
    assert not stored_bit(issued)


def test_a_certificate_issued_before_credentials_is_revoked_without_touching_any_list():
    ((_, issued),) = credentials_for(1)
    older = CertificateFactory()
    db.session.commit()
    revoke_certificate(older, revoked_by=UserFactory(is_admin=True), reason="Erreur.")
    db.session.commit()
    assert older.state == CertificateState.REVOKED
    assert db.session.get(StatusList, issued.status_list_id).version == 0


def test_without_a_signing_key_the_revocation_is_refused_and_nothing_changes(app, monkeypatch):
    ((certificate, issued),) = credentials_for(1)

    def no_key():
        raise keys.CredentialKeyMissing("no credential key")

    monkeypatch.setattr(keys, "current_key", no_key)
    with pytest.raises(CertificateError, match="cannot be signed"):
        revoke_certificate(certificate, revoked_by=UserFactory(is_admin=True), reason="Erreur.")
    db.session.rollback()
    db.session.refresh(certificate)
    assert certificate.state == CertificateState.VALID
    assert not stored_bit(issued)


def test_the_revocation_page_sets_the_bit_that_verifiers_read(world, client):
    ((certificate, issued),) = credentials_for(1)
    log_in(client, world.admin)
    answer = client.post(
        f"/admin/certificates/{certificate.id}/revoke",
        data={"reason": "Fraude constatée.", "confirm": "y"},
    )
    assert answer.status_code == 302
    assert served_bit(client, issued)


def test_the_revocation_page_without_a_key_says_so_and_revokes_nothing(world, client, monkeypatch):
    ((certificate, issued),) = credentials_for(1)
    log_in(client, world.admin)

    def no_key():
        raise keys.CredentialKeyMissing("no credential key")

    monkeypatch.setattr(keys, "current_key", no_key)
    answer = client.post(
        f"/admin/certificates/{certificate.id}/revoke",
        data={"reason": "Fraude constatée.", "confirm": "y"},
        follow_redirects=True,
    )
    assert "The revocation list cannot be signed" in answer.get_data(as_text=True)
    db.session.refresh(certificate)
    assert certificate.state == CertificateState.VALID
    assert not stored_bit(issued)


def test_superseding_sets_the_old_certificate_s_bit_and_not_the_new_one_s(world, client):
    learner = world.eligible_learner(display_name="Alice Martinn")
    world.award(learner)
    old = issuing.issue_certificate(world.cohort, learner, issued_by=world.admin)
    old_credential = old.credential  # issuance gave it its credential and entry
    (_, bystander), *_ = credentials_for(1)
    learner.display_name = "Alice Martin"
    db.session.commit()

    new = reissue_certificate(old, issued_by=world.admin, reason="Nom corrigé.")
    new_credential = new.credential
    db.session.commit()

    assert old.state == CertificateState.SUPERSEDED
    assert served_bit(client, old_credential)
    assert not served_bit(client, new_credential)
    assert not served_bit(client, bystander)


def test_a_supersession_rolled_back_leaves_the_bit_clear(world, client):
    learner = world.eligible_learner()
    world.award(learner)
    old = issuing.issue_certificate(world.cohort, learner, issued_by=world.admin)
    issued = old.credential
    db.session.commit()
    reissue_certificate(old, issued_by=world.admin, reason="Nom corrigé.")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == 1
    assert not stored_bit(issued)
    assert not served_bit(client, issued)
