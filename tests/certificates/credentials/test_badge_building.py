"""What a certificate's Open Badges 3.0 credential says, and that its proof holds it together."""

from __future__ import annotations

import copy
import hashlib

import pytest

from lms.certificates.credentials import keys
from lms.certificates.credentials.achievement import SCHEMA_ID, derived_id
from lms.certificates.credentials.issuance import credential_url
from lms.certificates.credentials.models import IssuedCredential
from lms.certificates.credentials.status import status_list_url
from lms.certificates.document import document_from_json
from lms.core.dataintegrity import xsd_datetime
from lms.extensions import db
from tests.certificates.credentials.badges import check, issued_with_credential
from tests.certificates.helpers import make_certificate_world


@pytest.fixture
def world():
    """The certifying world of tests/certificates/helpers.py."""
    return make_certificate_world()


@pytest.fixture
def organisation(app):
    """The organisation's identifiers and e-mail, as an instance sets them."""
    settings = {
        "TRAINING_ORGANISATION_SIRET": "12345678900011",
        "TRAINING_ORGANISATION_NDA": "11755555555",
        "CREDENTIALS_ISSUER_EMAIL": "certification@crois-sens.example",
    }
    saved = {name: app.config.get(name) for name in settings}
    app.config.update(settings)
    yield settings
    app.config.update(saved)


def test_a_path_certificate_states_its_achievement_issuer_and_learner(world, organisation):
    certificate, issued = issued_with_credential(world, display_name="Zoé Lefèvre")
    credential = issued.document
    document = document_from_json(certificate.document)

    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["id"] == credential_url(certificate.code)
    assert credential["id"].endswith(f"/credentials/{certificate.code}.json")
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validFrom"] == xsd_datetime(certificate.issued_at)
    assert credential["validFrom"].endswith("Z")
    assert credential["name"] == f"Certificat — {document.path_title}"
    assert certificate.number in credential["description"]
    issuer = credential["issuer"]
    assert issuer["id"].endswith("/issuer")
    assert issuer["type"] == ["Profile"]
    assert issuer["name"] == document.organisation
    assert issuer["email"] == "certification@crois-sens.example"
    assert issuer["otherIdentifier"] == [
        {"type": "IdentifierEntry", "identifier": "12345678900011", "identifierType": "ext:SIRET"},
        {"type": "IdentifierEntry", "identifier": "11755555555", "identifierType": "ext:NDA"},
    ]

    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["id"] == derived_id(issuer["id"], world.path.code, f"v{world.path.version}")
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Certificate"
    assert achievement["name"] == document.path_title
    assert achievement["inLanguage"] == "fr"
    assert achievement["creditsAvailable"] == float(document.total_hours)
    assert "BC1, BC2" in achievement["criteria"]["narrative"]
    assert [a["targetCode"] for a in achievement["alignment"]] == ["C1.1", "C1.2", "C2.1"]
    assert {a["targetType"] for a in achievement["alignment"]} == {"ceasn:Competency"}
    assert all(a["targetUrl"].startswith("urn:uuid:") for a in achievement["alignment"])
    assert [d["requiredValue"] for d in achievement["resultDescription"]] == ["acquis"] * 3
    assert achievement["resultDescription"][0]["allowedValue"][-1] == "maîtrisé"
    subject = credential["credentialSubject"]
    first = min(m.opens_on for m in document.modules if m.opens_on)
    assert subject["activityStartDate"].startswith(f"{first.isoformat()}T00:00:00+")
    assert "activityEndDate" not in subject  # the modules of this cohort never close


def test_the_subject_is_a_salted_hash_of_the_email_and_the_results_are_the_levels(world):
    certificate, issued = issued_with_credential(world, display_name="Zoé Lefèvre")
    subject = issued.document["credentialSubject"]
    email, name = subject["identifier"]

    assert subject["type"] == ["AchievementSubject"]
    assert email["identityType"] == "emailAddress"
    assert email["hashed"] is True
    assert len(email["salt"]) == 32
    expected = hashlib.sha256((certificate.learner.email + email["salt"]).encode()).hexdigest()
    assert email["identityHash"] == f"sha256${expected}"
    assert certificate.learner.email not in str(issued.document)
    assert name == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Zoé Lefèvre",
    }
    descriptions = subject["achievement"]["resultDescription"]
    assert [r["resultDescription"] for r in subject["result"]] == [d["id"] for d in descriptions]
    assert [r["value"] for r in subject["result"]] == ["acquis"] * 3


def test_two_credentials_have_their_own_salt_and_status_entry(world):
    _, first = issued_with_credential(world)
    _, second = issued_with_credential(world)

    salts = [i.document["credentialSubject"]["identifier"][0]["salt"] for i in (first, second)]
    assert salts[0] != salts[1]
    assert (first.status_list_id, first.status_index + 1) == (
        second.status_list_id,
        second.status_index,
    )
    status = second.document["credentialStatus"]
    assert status == {
        "id": f"{status_list_url(second.status_list_id)}#{second.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(second.status_index),
        "statusListCredential": status_list_url(second.status_list_id),
    }
    assert second.document["credentialSchema"] == [
        {"id": SCHEMA_ID, "type": "1EdTechJsonSchemaValidator2019"}
    ]


def test_a_block_attestation_is_one_block_with_its_own_competencies(world):
    world.blocks["BC1"].evaluation = "Dossier écrit\n  et oral de 20 minutes."
    modules = world.built.modules
    modules["M1"].competencies.append(world.competencies["C1.1"])
    modules["M2"].competencies.append(world.competencies["C1.2"])
    db.session.commit()
    certificate, issued = issued_with_credential(world, block=world.blocks["BC1"])
    credential = issued.document
    achievement = credential["credentialSubject"]["achievement"]

    assert certificate.scope == "BC1"
    assert credential["name"] == (
        "Attestation du bloc BC1 — Diagnostiquer un territoire et ses acteurs"
    )
    assert achievement["achievementType"] == "ext:BlocDeCompetences"
    assert achievement["humanCode"] == "BC1"
    assert achievement["id"] == derived_id(
        credential["issuer"]["id"], world.path.code, f"v{world.path.version}", "BC1"
    )
    assert [a["targetCode"] for a in achievement["alignment"]] == ["C1.1", "C1.2"]
    assert len(credential["credentialSubject"]["result"]) == 2
    assert achievement["creditsAvailable"] == float(modules["M1"].hours + modules["M2"].hours)
    narrative = achievement["criteria"]["narrative"]
    assert narrative.startswith("Dossier écrit et oral de 20 minutes.")
    assert "C1.1 : acquis; C1.2 : acquis" in narrative


def test_the_proof_verifies_with_the_published_key(world):
    _, issued = issued_with_credential(world)
    (proof,) = issued.document["proof"]

    result = check(issued.document)

    assert result.valid, result.problem
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == keys.verification_method(issued.key)
    assert proof["created"] == issued.document["validFrom"]


def leaves(value, path=()):
    """Yield the path of every leaf (string, number, boolean) of a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path


def changed(value):
    """Return a different value of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return value + "x"


def test_changing_any_field_makes_the_proof_fail(world):
    _, issued = issued_with_credential(world, display_name="Zoé Lefèvre")
    credential = issued.document
    paths = list(leaves(credential))
    assert len(paths) > 60

    for path in paths:
        tampered = copy.deepcopy(credential)
        holder = tampered
        for step in path[:-1]:
            holder = holder[step]
        holder[path[-1]] = changed(holder[path[-1]])
        assert not check(tampered).valid, f"changing {'.'.join(map(str, path))} went unnoticed"


def test_every_string_is_made_safe_for_print(world):
    _, issued = issued_with_credential(world, display_name="Zoé\u202e Lefèvre")

    assert "\u202e" not in str(issued.document)
    assert issued.document["credentialSubject"]["identifier"][1]["identityHash"] == "Zoé Lefèvre"
    assert check(issued.document).valid


def test_the_credential_is_valid_against_1edtech_schema(world):
    schema = pytest.importorskip("lms.certificates.credentials.schema")
    _, path_credential = issued_with_credential(world)
    _, block_credential = issued_with_credential(world, block=world.blocks["BC2"])

    assert schema.validate_credential(path_credential.document) == []
    assert schema.validate_credential(block_credential.document) == []


def test_one_credential_per_certificate(world):
    issued_with_credential(world)
    issued_with_credential(world, block=world.blocks["BC1"])

    assert db.session.scalar(db.select(db.func.count(IssuedCredential.id))) == 2
