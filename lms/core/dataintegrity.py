"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C, May 2025).

The proof that makes a JSON-LD credential verify offline (CREDENTIALS.md): the proof
configuration and the document without its proof are canonicalised to N-Quads (RDFC-1.0), each
hashed with SHA-256, and the two hashes, configuration first, signed with Ed25519.

- JSON-LD contexts are never fetched: ``document_loader`` serves the copies bundled in
  ``lms/core/contexts/`` and refuses every other URL, so canonicalising costs no network and
  cannot be steered by a document naming a context of its own.
- PyLD 3.3's ``URDNA2015`` is RDFC-1.0 (PyLD refuses the newer name).
- Public keys travel as Multikey: ``"z"`` + base58btc(0xED 0x01 ‖ the raw 32-byte key).

This module knows no domain: what a credential says, and which key signs it, belong to the
domain that issues it.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
ED25519_MULTICODEC = b"\xed\x01"
CONTEXTS_FOLDER = Path(__file__).with_name("contexts")
# Every context a document may name, and its bundled copy (see contexts/README.md).
BUNDLED_CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
}


class ContextRefused(ValueError):
    """A document names a JSON-LD context that is not bundled."""


@cache
def _bundled(url: str) -> dict[str, Any]:
    return json.loads((CONTEXTS_FOLDER / BUNDLED_CONTEXTS[url]).read_text(encoding="utf-8"))


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a bundled context as PyLD expects it; refuse any other URL."""
    if url not in BUNDLED_CONTEXTS:
        raise ContextRefused(f"JSON-LD context not bundled: {url!r}")
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(_bundled(url))}


def canonical_nquads(
    document: dict[str, Any], loader: Callable[..., dict[str, Any]] = document_loader
) -> str:
    """Return the document canonicalised to N-Quads (RDFC-1.0)."""
    from pyld import jsonld  # its import costs ≈ 0.1 s: loaded when a proof is made or checked

    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}
    return jsonld.normalize(document, options)


def hash_data(
    document: dict[str, Any],
    proof_config: dict[str, Any],
    loader: Callable[..., dict[str, Any]] = document_loader,
) -> bytes:
    """Return what is signed: SHA-256(canonical proof config) ‖ SHA-256(canonical document)."""
    proof_hash = hashlib.sha256(canonical_nquads(proof_config, loader).encode()).digest()
    document_hash = hashlib.sha256(canonical_nquads(document, loader).encode()).digest()
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
    """Return a UTC moment as the proofs write it (``2026-12-05T10:00:00Z``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(
    document: dict[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
    loader: Callable[..., dict[str, Any]] = document_loader,
) -> dict[str, Any]:
    """Return a copy of the document with a ``DataIntegrityProof`` (``eddsa-rdfc-2022``)."""
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(hash_data(unsigned, _proof_config(unsigned, proof), loader))
    return {
        **unsigned,
        "proof": {**proof, "proofValue": "z" + base58.b58encode(signature).decode()},
    }


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
    proof = document.get("proof") if isinstance(document, dict) else None
    if not isinstance(proof, dict):
        return ProofCheck(False, problem="the document has no proof")
    method, created = proof.get("verificationMethod"), proof.get("created")
    if not isinstance(method, str) or not isinstance(created, str | None):
        return ProofCheck(False, problem="the proof names no verification method")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return ProofCheck(False, method, created, f"the proof is not a {CRYPTOSUITE} proof")
    if proof.get("proofPurpose") != "assertionMethod":
        return ProofCheck(False, method, created, "the proof's purpose is not assertionMethod")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        return ProofCheck(False, method, created, "the proof value is not base58btc")
    public_key = public_key_for(method)
    if public_key is None:
        return ProofCheck(False, method, created, "the verification method is unknown")
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    try:
        signature = base58.b58decode(value[1:])
        public_key.verify(signature, hash_data(unsigned, _proof_config(unsigned, proof), loader))
    except ContextRefused as error:
        return ProofCheck(False, method, created, str(error))
    except InvalidSignature:
        return ProofCheck(False, method, created, "the signature does not match the document")
    except Exception as error:
        return ProofCheck(False, method, created, f"the document is not valid JSON-LD ({error})")
    return ProofCheck(True, method, created)
