"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C, May 2025).

The proof that makes a JSON-LD credential verify offline (CREDENTIALS.md): the proof
configuration and the document without its proof are canonicalised to N-Quads (RDFC-1.0,
``lms.core.canonical``: bundled contexts only, bounded work), each hashed with SHA-256, and
the two hashes, configuration first, signed with Ed25519.

- A document with members its contexts do not define is refused when signing and reported
  when checking (``UndefinedTerms``): the proof would not cover them.
- Public keys travel as Multikey: ``"z"`` + base58btc(0xED 0x01 ‖ the raw 32-byte key).
- ``verify`` never raises for a malformed document: the check says what is wrong.

This module knows no domain: what a credential says, and which key signs it, belong to the
domain that issues it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lms.core.canonical import BUNDLED_CONTEXTS as BUNDLED_CONTEXTS
from lms.core.canonical import CanonicalisationRefused, ContextRefused, Reading, canonical, read
from lms.core.canonical import UndefinedTerms as UndefinedTerms
from lms.core.canonical import canonical_nquads as canonical_nquads
from lms.core.canonical import document_loader as document_loader
from lms.core.canonical import undefined_terms as undefined_terms

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
ED25519_MULTICODEC = b"\xed\x01"


def hash_data(
    document: dict[str, Any],
    proof_config: dict[str, Any],
    loader: Callable[..., dict[str, Any]] = document_loader,
) -> bytes:
    """Return what is signed: SHA-256(canonical proof config) ‖ SHA-256(canonical document)."""
    return _hash(read(proof_config, loader), read(document, loader), loader)


def _hash(config: Reading, document: Reading, loader: Callable[..., dict[str, Any]]) -> bytes:
    proof_hash = hashlib.sha256(canonical(config, loader).encode()).digest()
    document_hash = hashlib.sha256(canonical(document, loader).encode()).digest()
    return proof_hash + document_hash


def multikey(public_key: Ed25519PublicKey) -> str:
    """Return an Ed25519 public key as ``publicKeyMultibase`` (``z6Mk…``)."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_MULTICODEC + raw).decode()


def public_key_from_multikey(value: str) -> Ed25519PublicKey:
    """Return the Ed25519 public key of a ``publicKeyMultibase``; ValueError if it is not one."""
    if not value.startswith("z"):
        raise ValueError("a Multikey is base58btc, starting with 'z'")
    raw = base58.b58decode(value[1:])
    if len(raw) != 34 or not raw.startswith(ED25519_MULTICODEC):
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def _proof_config(document: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    config = {key: value for key, value in proof.items() if key != "proofValue"}
    config["@context"] = document["@context"]
    return config


def xsd_datetime(moment: datetime) -> str:
    """Return a moment in UTC as the proofs write it (``2026-12-05T10:00:00Z``).

    An aware moment is converted to UTC first; a naive one is taken to be UTC already.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(
    document: dict[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
    loader: Callable[..., dict[str, Any]] = document_loader,
    as_set: bool = False,
) -> dict[str, Any]:
    """Return a copy of the document with a ``DataIntegrityProof`` (``eddsa-rdfc-2022``).

    Refuses (``UndefinedTerms``) a document with members its contexts do not define: they would
    travel unsigned. ``as_set`` writes the proof as a one-proof set (``"proof": [{…}]``), the
    form 1EdTech's JSON schema requires; the signature is the same.
    """
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    reading = read(unsigned, loader)
    if reading.undefined:
        raise UndefinedTerms(f"terms no context defines: {', '.join(reading.undefined)}")
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    config = read(_proof_config(unsigned, proof), loader)
    signature = private_key.sign(_hash(config, reading, loader))
    signed = {**proof, "proofValue": "z" + base58.b58encode(signature).decode()}
    return {**unsigned, "proof": [signed] if as_set else signed}


@dataclass(frozen=True)
class ProofCheck:
    """What checking a document's proof found: whether it holds, and if not, why (English)."""

    valid: bool
    verification_method: str | None = None
    created: str | None = None
    problem: str | None = None


def verify(
    document: dict[str, Any],
    public_key_for: Callable[[str], Ed25519PublicKey | None],
    loader: Callable[..., dict[str, Any]] = document_loader,
) -> ProofCheck:
    """Check the document's ``eddsa-rdfc-2022`` proof with the key its method names.

    ``public_key_for`` returns the public key of a verification method URL, or None when the
    method is unknown. Never raises for a malformed document: the check says what is wrong.
    """
    proof = _single_proof(document)
    if proof is None:
        return ProofCheck(False, problem="the document has no proof (or more than one)")
    method, created = proof.get("verificationMethod"), proof.get("created")
    if not isinstance(method, str) or not isinstance(created, str | None):
        return ProofCheck(False, problem="the proof names no verification method")
    problem = _proof_problem(document, proof)
    if problem:
        return ProofCheck(False, method, created, problem)
    signature = _signature(proof.get("proofValue"))
    if signature is None:
        return ProofCheck(False, method, created, "the proof value is not a base58btc signature")
    public_key = public_key_for(method)
    if public_key is None:
        return ProofCheck(False, method, created, "the verification method is unknown")
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    try:
        reading, config = read(unsigned, loader), read(_proof_config(unsigned, proof), loader)
        undefined = reading.undefined + config.undefined
        if undefined:
            return ProofCheck(
                False, method, created, f"the proof does not cover {', '.join(undefined)}"
            )
        data = _hash(config, reading, loader)
    except (ContextRefused, CanonicalisationRefused) as error:
        return ProofCheck(False, method, created, str(error))
    except Exception as error:  # PyLD's errors for invalid JSON-LD, and recursion on deep nesting
        return ProofCheck(False, method, created, f"the document is not valid JSON-LD ({error})")
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return ProofCheck(False, method, created, "the signature does not match the document")
    return ProofCheck(True, method, created)


def _single_proof(document: object) -> dict[str, Any] | None:
    """Return the document's proof, alone or as a one-proof set; None otherwise."""
    proof = document.get("proof") if isinstance(document, dict) else None
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    return proof if isinstance(proof, dict) else None


def _proof_problem(document: dict[str, Any], proof: dict[str, Any]) -> str | None:
    """Return why a proof cannot be an ``eddsa-rdfc-2022`` assertion proof, or None."""
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return f"the proof is not a {CRYPTOSUITE} proof"
    if proof.get("proofPurpose") != "assertionMethod":
        return "the proof's purpose is not assertionMethod"
    if "@context" not in document:
        return "the document has no @context"
    return None


def _signature(value: object) -> bytes | None:
    """Return the 64 bytes of a ``proofValue`` (``"z"`` + base58btc), or None."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) > 100:
        return None
    try:
        signature = base58.b58decode(value[1:])
    except ValueError:
        return None
    return signature if len(signature) == 64 else None
