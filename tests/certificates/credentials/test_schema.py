"""1EdTech's JSON schema for Open Badges 3.0 credentials (bundled): what it accepts and refuses.

The accepted credential is 1EdTech's own Open Badges 3.0 example (``tests/core/vectors``), with
its proof as a one-proof set: the schema wants every collection as an array.
"""

from __future__ import annotations

import copy
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.certificates.credentials.schema import SCHEMA_FILE, validate_credential

VECTOR = Path(__file__).parents[2] / "core" / "vectors" / "obv3p0"


def badge() -> dict[str, Any]:
    """Return 1EdTech's signed example credential, its proof as a one-proof set."""
    document = json.loads((VECTOR / "signed.json").read_text(encoding="utf-8"))
    document["proof"] = [document["proof"]]
    return document


def hashed_email() -> dict[str, Any]:
    """Return a recipient identified by a salted hash of the e-mail (CREDENTIALS.md)."""
    return {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": "s4lt",
        "identityHash": "sha256$" + "0" * 64,
    }


@pytest.fixture(autouse=True)
def no_network(monkeypatch) -> None:
    """Validating never opens a connection (no remote $ref is followed)."""

    def refuse(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_the_bundled_schema_is_the_2019_09_one_for_vcdm_2():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

    assert schema["$schema"] == "https://json-schema.org/draft/2019-09/schema#"
    assert "validFrom" in schema["required"]  # VC Data Model 2.0 (1.1 had issuanceDate)


def test_1edtech_example_is_valid():
    assert validate_credential(badge()) == []
    unsigned = badge()
    del unsigned["proof"]
    assert validate_credential(unsigned) == []


def test_a_recipient_by_hashed_email_is_valid():
    document = badge()
    del document["credentialSubject"]["id"]
    document["credentialSubject"]["identifier"] = [hashed_email()]

    assert validate_credential(document) == []


def test_a_single_proof_object_is_refused_as_the_schema_wants_arrays():
    document = badge()
    document["proof"] = document["proof"][0]

    assert validate_credential(document) == [
        "proof: {'type': 'DataIntegrityProof', 'created': '2010-01-01T19:23… is not of type 'array'"
    ]


def change(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Return a copy of the document with the member at ``path`` set, or removed (``...``)."""
    changed = copy.deepcopy(document)
    *steps, last = path.split("/")
    parent: Any = changed
    for step in steps:
        parent = parent[int(step) if step.isdigit() else step]
    if value is ...:
        del parent[last]
    else:
        parent[int(last) if last.isdigit() else last] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        ("issuer", ..., "(document): 'issuer' is a required property"),
        ("validFrom", ..., "(document): 'validFrom' is a required property"),
        ("credentialSubject", ..., "(document): 'credentialSubject' is a required property"),
        ("validFrom", "2010-01-01", "validFrom: '2010-01-01' is not a 'date-time'"),
        ("validFrom", "2026-02-30T00:00:00Z", "validFrom: '2026-02-30T00:00:00Z' is not a"),
        ("validFrom", "2010-01-01T00:00:00", "validFrom: '2010-01-01T00:00:00' is not a"),
        ("@context/0", "https://www.w3.org/2018/credentials/v1", "@context/0: 'https://www.w3"),
        ("@context/1", "https://w3id.org/openbadges/v2", "@context/1: 'https://w3id.org/openb"),
        ("type", ["VerifiableCredential"], "type: ['VerifiableCredential'] does not contain"),
        ("type", "OpenBadgeCredential", "type: 'OpenBadgeCredential' is not of type 'array'"),
        ("issuer/id", ..., "issuer: {'type': ['Profile'], 'url': 'https://www.imsglobal.org', "),
        ("credentialSubject/achievement/criteria", ..., "credentialSubject/achievement: 'crit"),
        ("credentialSubject/achievement/name", 12, "credentialSubject/achievement/name: 12 is n"),
        ("credentialSchema", {"id": "x", "type": "y"}, "credentialSchema: {'id': 'x', 'type':"),
    ],
)
def test_broken_credentials_are_refused_with_the_member_named(path, value, problem):
    problems = validate_credential(change(badge(), path, value))

    assert any(found.startswith(problem) for found in problems), problems


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("identityType", "email"),  # the schema's enum says emailAddress
        ("identityType", "mail"),
        ("hashed", "true"),
        ("identityHash", ...),
        ("type", "Identity"),
    ],
)
def test_a_wrong_identity_object_is_refused(member, value):
    document = badge()
    identity = hashed_email()
    if value is ...:
        del identity[member]
    else:
        identity[member] = value
    document["credentialSubject"]["identifier"] = [identity]

    problems = validate_credential(document)

    assert problems
    assert all(found.startswith("credentialSubject/identifier/0") for found in problems)


def test_an_extension_identity_type_is_accepted():
    document = badge()
    document["credentialSubject"]["identifier"] = [{**hashed_email(), "identityType": "ext:Ine"}]

    assert validate_credential(document) == []


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=12), children, max_size=3)
        ),
        max_leaves=15,
    )
)
def test_validation_never_raises(value):
    problems = validate_credential(value)

    assert problems
    assert all(isinstance(problem, str) for problem in problems)
