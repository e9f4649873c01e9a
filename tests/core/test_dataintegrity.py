"""Data Integrity proofs (``eddsa-rdfc-2022``): the published test vectors byte for byte, and
a verifier that refuses every altered, foreign or malformed document without raising.

The vectors (``tests/core/vectors/``, see its README) are W3C's ``vc-di-eddsa`` examples (an
alumni credential and an employment authorisation) and 1EdTech's Open Badges 3.0 end-to-end
example. The W3C ones name contexts the product does not bundle: a test loader serves their
copies from the vectors folder and the product's contexts for the rest.
"""

from __future__ import annotations

import copy
import hashlib
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.core import dataintegrity
from lms.core.dataintegrity import (
    CanonicalisationRefused,
    ContextRefused,
    UndefinedTerms,
    canonical_nquads,
    hash_data,
    multikey,
    public_key_from_multikey,
    sign,
    undefined_terms,
    verify,
    xsd_datetime,
)

VECTORS = Path(__file__).with_name("vectors")
W3C = VECTORS / "eddsa-rdfc-2022"
OB = VECTORS / "obv3p0"
TEST_CONTEXTS = {
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
    "https://w3id.org/citizenship/v4rc1": "citizenship-v4rc1.jsonld",
}
OB_METHOD = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


def vector_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Serve the W3C examples' own contexts from the vectors folder, the product's otherwise."""
    if url in TEST_CONTEXTS:
        document = json.loads((VECTORS / "contexts" / TEST_CONTEXTS[url]).read_text("utf-8"))
        return {"contextUrl": None, "documentUrl": url, "document": document}
    return dataintegrity.document_loader(url, options)


def read(path: Path) -> str:
    """Return a vector file's text exactly (no newline added or removed)."""
    return path.read_text(encoding="utf-8")


def w3c_key() -> Ed25519PrivateKey:
    """Return the W3C examples' key: a Multikey private key is 0x80 0x26 then the seed."""
    pair = json.loads(read(W3C / "keyPair.json"))
    raw = base58.b58decode(pair["privateKeyMultibase"][1:])
    assert raw[:2] == b"\x80\x26"
    key = Ed25519PrivateKey.from_private_bytes(raw[2:])
    assert multikey(key.public_key()) == pair["publicKeyMultibase"]
    return key


def ob_vector() -> dict[str, str]:
    """Return 1EdTech's key pair, hashes and signature (hex) as its page prints them."""
    return json.loads(read(OB / "key-and-hashes.json"))


def ob_key() -> Ed25519PrivateKey:
    """Return 1EdTech's key: the first 32 bytes of its 64-byte secret key are the seed."""
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(ob_vector()["privateKeyHex"])[:32])


def only(key: Ed25519PublicKey):
    """Return a ``public_key_for`` that knows one key, whatever the method."""
    return lambda method: key


def unsigned(document: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in document.items() if name != "proof"}


@pytest.fixture
def no_network(monkeypatch) -> None:
    """Make every attempt to open a connection fail the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# --- W3C vc-di-eddsa: eddsa-rdfc-2022 ---------------------------------------------------------


@pytest.mark.parametrize("folder", [W3C, W3C / "employ"], ids=["alumni", "employ"])
def test_w3c_vector_is_reproduced_byte_for_byte(folder):
    signed = json.loads(read(folder / "signedDataInt.json"))
    config = json.loads(read(folder / "proofConfigDataInt.json"))
    document = unsigned(signed)

    canonical_document = canonical_nquads(document, vector_loader)
    canonical_config = canonical_nquads(config, vector_loader)
    assert canonical_document == read(folder / "canonDocDataInt.txt")
    assert canonical_config == read(folder / "proofCanonDataInt.txt")
    config_hash = hashlib.sha256(canonical_config.encode()).hexdigest()
    document_hash = hashlib.sha256(canonical_document.encode()).hexdigest()
    assert config_hash == read(folder / "proofHashDataInt.txt")
    assert document_hash == read(folder / "docHashDataInt.txt")
    combined = hash_data(document, config, vector_loader)
    assert combined.hex() == read(folder / "combinedHashDataInt.txt")
    signature = w3c_key().sign(combined)
    assert signature.hex() == read(folder / "sigHexDataInt.txt")
    assert "z" + base58.b58encode(signature).decode() == read(folder / "sigBTC58DataInt.txt")

    made = sign(
        document,
        w3c_key(),
        config["verificationMethod"],
        datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
        vector_loader,
    )
    assert made == signed
    assert made["proof"]["proofValue"] == read(folder / "sigBTC58DataInt.txt")
    check = verify(signed, only(w3c_key().public_key()), vector_loader)
    assert check.valid, check.problem
    assert check.verification_method == config["verificationMethod"]
    assert check.created == "2023-02-24T23:36:38Z"


def test_w3c_unsigned_documents_are_the_signed_ones_without_proof():
    assert json.loads(read(W3C / "unsigned.json")) == unsigned(
        json.loads(read(W3C / "signedDataInt.json"))
    )
    assert json.loads(read(W3C / "employ" / "employmentAuth.json")) == unsigned(
        json.loads(read(W3C / "employ" / "signedDataInt.json"))
    )


def test_the_product_loader_refuses_the_w3c_examples_contexts(no_network):
    signed = json.loads(read(W3C / "signedDataInt.json"))

    check = verify(signed, only(w3c_key().public_key()))

    assert not check.valid
    assert check.problem == (
        "JSON-LD context not bundled: 'https://www.w3.org/ns/credentials/examples/v2'"
    )


# --- 1EdTech Open Badges 3.0 ------------------------------------------------------------------


def test_open_badges_vector_is_reproduced_byte_for_byte():
    vector = ob_vector()
    credential = json.loads(read(OB / "credential.json"))
    signed = json.loads(read(OB / "signed.json"))
    key = ob_key()
    raw_public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert raw_public.hex() == vector["publicKeyHex"]
    assert bytes.fromhex(vector["privateKeyHex"])[32:] == raw_public
    assert multikey(key.public_key()) == vector["publicKeyMultibase"]
    config = {**unsigned(signed["proof"]), "@context": credential["@context"]}
    config.pop("proofValue")

    assert canonical_nquads(credential) == read(OB / "document-canon.txt")
    assert canonical_nquads(config) == read(OB / "proof-canon.txt")
    combined = hash_data(credential, config)
    assert combined[:32].hex() == vector["proofHashHex"]
    assert combined[32:].hex() == vector["documentHashHex"]
    assert combined.hex() == vector["dataToSignHex"]
    assert key.sign(combined).hex() == vector["signatureHex"]

    made = sign(credential, key, OB_METHOD, datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC))
    assert made == signed
    assert made["proof"]["proofValue"] == vector["proofValue"]
    assert verify(signed, only(key.public_key())).valid


def test_open_badges_vector_verifies_with_the_key_its_multikey_publishes():
    signed = json.loads(read(OB / "signed.json"))
    published = {OB_METHOD: public_key_from_multikey(ob_vector()["publicKeyMultibase"])}

    assert verify(signed, published.get).valid
    assert verify(signed, {}.get).problem == "the verification method is unknown"


# --- Refusals ---------------------------------------------------------------------------------


def signed_badge() -> dict[str, Any]:
    return json.loads(read(OB / "signed.json"))


def leaves(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """Yield the path of every leaf (string, number, boolean, null) of a JSON value."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from leaves(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path


def altered(value: Any) -> Any:
    """Return a different leaf of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value[:-1] + ("b" if value.endswith("a") else "a") if value else "a"
    return "a"


@pytest.mark.parametrize("path", list(leaves(signed_badge())), ids=str)
def test_changing_any_leaf_of_a_signed_credential_breaks_the_proof(path):
    document = signed_badge()
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = altered(parent[path[-1]])

    check = verify(document, only(ob_key().public_key()))

    assert not check.valid
    assert check.problem


@pytest.mark.parametrize(
    ("member", "value", "problem"),
    [
        ("cryptosuite", "eddsa-jcs-2022", "the proof is not a eddsa-rdfc-2022 proof"),
        ("cryptosuite", None, "the proof is not a eddsa-rdfc-2022 proof"),
        ("type", "Ed25519Signature2020", "the proof is not a eddsa-rdfc-2022 proof"),
        ("proofPurpose", "authentication", "the proof's purpose is not assertionMethod"),
        ("proofValue", "uAAAA", "the proof value is not a base58btc signature"),
        ("proofValue", "z0OIl", "the proof value is not a base58btc signature"),
        ("proofValue", "z" + "1" * 40, "the proof value is not a base58btc signature"),
        ("proofValue", 12, "the proof value is not a base58btc signature"),
        ("verificationMethod", None, "the proof names no verification method"),
        ("created", 2010, "the proof names no verification method"),
    ],
)
def test_a_proof_of_another_kind_is_refused(member, value, problem):
    document = signed_badge()
    document["proof"][member] = value

    check = verify(document, only(ob_key().public_key()))

    assert (check.valid, check.problem) == (False, problem)


def test_a_key_swap_fails():
    other = Ed25519PrivateKey.generate()
    document = signed_badge()

    assert verify(document, only(other.public_key())).problem == (
        "the signature does not match the document"
    )
    resigned = sign(unsigned(document), other, OB_METHOD, datetime(2010, 1, 1, tzinfo=UTC))
    document["proof"]["proofValue"] = resigned["proof"]["proofValue"]  # another key's signature
    assert not verify(document, only(ob_key().public_key())).valid


def test_a_context_that_is_not_bundled_is_refused_without_network(no_network):
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/context"],
        "type": ["VerifiableCredential"],
    }

    with pytest.raises(ContextRefused, match=r"https://evil\.example/context"):
        canonical_nquads(document)
    with pytest.raises(ContextRefused):
        sign(document, ob_key(), OB_METHOD, datetime(2026, 1, 1, tzinfo=UTC))
    signed = signed_badge()
    signed["@context"].append("https://evil.example/context")
    check = verify(signed, only(ob_key().public_key()))
    assert check.problem == "JSON-LD context not bundled: 'https://evil.example/context'"


def test_a_string_is_never_loaded_as_a_document(no_network):
    with pytest.raises(TypeError):
        canonical_nquads("https://www.w3.org/ns/credentials/v2")  # type: ignore[arg-type]


def test_members_no_context_defines_are_refused_when_signing_and_verifying():
    credential = json.loads(read(OB / "credential.json"))
    credential["credentialSubject"]["nickname"] = "Teamy"  # the OB context does not define it
    credential["@unknown"] = 1
    assert undefined_terms(credential) == ["@unknown", "nickname"]
    with pytest.raises(UndefinedTerms, match="@unknown, nickname"):
        sign(credential, ob_key(), OB_METHOD, datetime(2026, 1, 1, tzinfo=UTC))

    added = signed_badge()
    added["credentialSubject"]["nickname"] = "Teamy"  # JSON-LD would drop it: the proof holds
    check = verify(added, only(ob_key().public_key()))
    assert check.problem == "the proof does not cover nickname"
    relative = signed_badge()
    relative["credentialSubject"]["achievement"]["type"] = ["Achievement", "Badge"]
    assert verify(relative, only(ob_key().public_key())).problem == "the proof does not cover Badge"
    extra_in_proof = signed_badge()
    extra_in_proof["proof"]["note"] = "unsigned"
    assert verify(extra_in_proof, only(ob_key().public_key())).problem == (
        "the proof does not cover note"
    )


def test_a_document_without_context_is_refused():
    document = signed_badge()
    del document["@context"]

    assert verify(document, only(ob_key().public_key())).problem == "the document has no @context"


def look_alike_blank_nodes(count: int) -> dict[str, Any]:
    """Return a document whose blank nodes all link to each other (a "poison" graph)."""
    nodes = [
        {"id": f"_:b{i}", "https://example.org/linked": [{"id": f"_:b{j}"} for j in range(count)]}
        for i in range(count)
    ]
    return {"@context": ["https://www.w3.org/ns/credentials/v2"], "@graph": nodes}


def test_canonicalising_a_crafted_graph_is_cut_short():
    assert canonical_nquads(look_alike_blank_nodes(3))  # a few look-alikes are fine

    with pytest.raises(CanonicalisationRefused):
        canonical_nquads(look_alike_blank_nodes(8))  # unbounded: minutes of work
    document = look_alike_blank_nodes(8)
    document["proof"] = signed_badge()["proof"]
    check = verify(document, only(ob_key().public_key()))
    assert check.problem == "too many look-alike blank nodes to canonicalise"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["@context", "@id", "@type", "id", "type", "proof", "name", "x"])
            | st.text(max_size=6),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_verify_never_raises_on_arbitrary_json(value):
    check = verify(value, only(ob_key().public_key()))

    assert not check.valid
    assert check.problem


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_verify_never_raises_when_any_part_of_a_signed_credential_is_replaced(data):
    document = signed_badge()
    paths = [path for path in leaves(document) if path]
    path = data.draw(st.sampled_from(paths))
    cut = data.draw(st.integers(min_value=1, max_value=len(path)))
    parent = document
    for step in path[: cut - 1]:
        parent = parent[step]
    replacement = data.draw(JSON)
    parent[path[cut - 1]] = replacement

    check = verify(document, only(ob_key().public_key()))

    assert check.problem or check.valid  # valid only if the replacement changed nothing
    if check.valid:
        assert document == signed_badge()


# --- Multikey ---------------------------------------------------------------------------------


def test_multikey_round_trip():
    key = Ed25519PrivateKey.generate().public_key()

    value = multikey(key)

    assert value.startswith("z6Mk")
    assert public_key_from_multikey(value).public_bytes(
        Encoding.Raw, PublicFormat.Raw
    ) == key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def multibase(prefix: bytes, length: int) -> str:
    return "z" + base58.b58encode(prefix + bytes(range(1, length + 1))).decode()


@pytest.mark.parametrize(
    "value",
    [
        multibase(b"\x80\x24", 33),  # P-256 public key (zDn…)
        multibase(b"\xe7\x01", 33),  # secp256k1 public key
        multibase(b"\xec\x01", 32),  # X25519 public key
        multibase(b"\x80\x26", 32),  # an Ed25519 private key
        multibase(b"\xed\x01", 31),  # one byte short
        multibase(b"\xed\x01", 33),  # one byte too many
        "u7QE" + "A" * 43,  # base64url multibase
        "z0OIl",  # not base58
        "",
    ],
)
def test_multikeys_other_than_ed25519_public_keys_are_refused(value):
    with pytest.raises(ValueError, match=r"Multikey|base58|character"):
        public_key_from_multikey(value)


def test_proof_times_are_written_in_utc():
    paris = timezone(timedelta(hours=1))

    assert xsd_datetime(datetime(2026, 12, 5, 11, 0, tzinfo=paris)) == "2026-12-05T10:00:00Z"
    assert xsd_datetime(datetime(2026, 12, 5, 10, 0)) == "2026-12-05T10:00:00Z"


def test_signing_leaves_the_document_alone():
    credential = json.loads(read(OB / "credential.json"))
    before = copy.deepcopy(credential)

    sign(credential, ob_key(), OB_METHOD, datetime(2026, 1, 1, tzinfo=UTC))

    assert credential == before


def test_a_one_proof_set_verifies_and_carries_the_same_signature():
    credential = json.loads(read(OB / "credential.json"))
    created = datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC)

    made = sign(credential, ob_key(), OB_METHOD, created, as_set=True)

    assert made["proof"] == [signed_badge()["proof"]]
    assert verify(made, only(ob_key().public_key())).valid
    made["proof"].append(made["proof"][0])
    assert verify(made, only(ob_key().public_key())).problem == (
        "the document has no proof (or more than one)"
    )


def test_relative_iris_are_left_out_as_jsonld_js_does_not_resolved_against_an_example_base():
    credential = json.loads(read(OB / "credential.json"))
    credential["credentialSchema"] = [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
            "ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",  # no context defines it: a relative IRI
        }
    ]

    nquads = canonical_nquads(credential)

    assert "example.org/base" not in nquads
    assert "1EdTechJsonSchemaValidator2019" not in nquads
    assert "credentials#credentialSchema> <https://purl.imsglobal.org/spec/ob/v3p0/schema" in nquads
    assert undefined_terms(credential) == []  # 1EdTech's validator looks for it: allowed
    signed = sign(credential, ob_key(), OB_METHOD, datetime(2026, 1, 1, tzinfo=UTC), as_set=True)
    assert verify(signed, only(ob_key().public_key())).valid


def test_a_context_served_to_a_test_loader_is_never_served_to_the_product_loader(no_network):
    signed = json.loads(read(W3C / "signedDataInt.json"))
    assert verify(signed, only(w3c_key().public_key()), vector_loader).valid  # examples/v2 read

    assert verify(signed, only(w3c_key().public_key())).problem == (
        "JSON-LD context not bundled: 'https://www.w3.org/ns/credentials/examples/v2'"
    )
