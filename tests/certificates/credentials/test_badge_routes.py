"""The credentials' public addresses: a certificate's credential, the issuer and its keys."""

from __future__ import annotations

import pytest

from lms.certificates.credentials.issuance import credential_json
from lms.certificates.credentials.keys import create_key_file, current_key, key_folder
from lms.certificates.credentials.models import CredentialKey
from lms.certificates.models import CertificateState
from lms.certificates.revocation import reissue_certificate, revoke_certificate
from lms.core.time import utcnow
from lms.extensions import db
from tests.certificates.credentials.badges import check, issued_with_credential
from tests.certificates.helpers import make_certificate_world


@pytest.fixture
def world():
    """The certifying world of tests/certificates/helpers.py."""
    return make_certificate_world()


def test_the_credential_is_served_by_its_code_as_issued(world, client):
    certificate, issued = issued_with_credential(world)

    response = client.get(f"/credentials/{certificate.code}.json")

    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data(as_text=True) == credential_json(issued.document)
    assert check(response.get_json()).valid


def test_a_revoked_certificate_still_serves_its_credential(world, client):
    certificate, issued = issued_with_credential(world)
    revoke_certificate(certificate, revoked_by=world.admin, reason="Erreur de saisie")
    db.session.commit()

    response = client.get(f"/credentials/{certificate.code}.json")

    assert response.status_code == 200
    assert response.get_json() == issued.document


def test_unknown_superseded_and_pre_credential_certificates_get_the_same_404(world, client):
    superseded, _ = issued_with_credential(world)
    reissue_certificate(superseded, issued_by=world.admin, reason="Nom corrigé")
    older, issued = issued_with_credential(world)
    db.session.delete(issued)  # as if issued before credentials existed
    db.session.commit()
    assert superseded.state == CertificateState.SUPERSEDED

    answers = [
        client.get(f"/credentials/{code}.json")
        for code in (superseded.code, older.code, "A" * 32, "../../etc/passwd", "x" * 500)
    ]

    assert {answer.status_code for answer in answers} == {404}
    assert len({answer.get_data() for answer in answers}) == 1


def test_the_issuer_profile_names_every_key_that_signed_and_may_be_cached(world, client, app):
    issued_with_credential(world)
    first = db.session.scalar(db.select(CredentialKey))
    first.retired_at = utcnow()
    create_key_file(key_folder())
    newer, _ = current_key()
    db.session.commit()

    response = client.get("/issuer")

    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    profile = response.get_json()
    assert profile["id"] == "http://localhost/issuer"
    assert profile["type"] == ["Profile"]
    assert profile["name"]
    assert profile["assertionMethod"] == [
        f"http://localhost/issuer/keys/{first.kid}",
        f"http://localhost/issuer/keys/{newer.kid}",
    ]


def test_the_issuer_profile_is_json_ld_that_expands_with_its_methods(world, client):
    from pyld import jsonld

    from lms.core.dataintegrity import document_loader

    issued_with_credential(world)
    profile = client.get("/issuer").get_json()

    expanded = jsonld.expand(profile, {"documentLoader": document_loader})

    methods = expanded[0]["https://w3id.org/security#assertionMethod"]
    assert [method["@id"] for method in methods] == profile["assertionMethod"]


def test_a_key_is_published_as_a_multikey(world, client):
    _, issued = issued_with_credential(world)
    (proof,) = issued.document["proof"]

    response = client.get(proof["verificationMethod"].removeprefix("http://localhost"))

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.get_json() == {
        "@context": ["https://w3id.org/security/multikey/v1"],
        "id": proof["verificationMethod"],
        "type": "Multikey",
        "controller": "http://localhost/issuer",
        "publicKeyMultibase": issued.key.public_key_multibase,
    }
    assert issued.key.public_key_multibase.startswith("z6Mk")


@pytest.mark.parametrize("kid", ["20990101-abcdef", "k" * 41, "%00"])
def test_unknown_keys_are_not_found(world, client, kid):
    response = client.get(f"/issuer/keys/{kid}")

    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["error"] == "not_found"


def test_a_path_that_names_no_key_is_not_found(client):
    assert client.get("/issuer/keys/..%2F..%2Fetc").status_code == 404
