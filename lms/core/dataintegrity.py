"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C, May 2025).

The proof that makes a JSON-LD credential verify offline (CREDENTIALS.md): the proof
configuration and the document without its proof are canonicalised to N-Quads (RDFC-1.0), each
hashed with SHA-256, and the two hashes, configuration first, signed with Ed25519.

- JSON-LD contexts are never fetched: ``document_loader`` serves the copies bundled in
  ``lms/core/contexts/`` and refuses every other URL, so canonicalising costs no network and
  cannot be steered by a document naming a context of its own.
- PyLD 3.3's ``URDNA2015`` is RDFC-1.0 (PyLD refuses the newer name). Its canonicaliser has no
  bound on the work a crafted graph of look-alike blank nodes can ask for (RDFC-1.0 §4.4 lets
  it grow with the factorial of their number), and a verifier checks pasted documents: the
  work is capped here (``CanonicalisationRefused``), far above what a credential needs.
- Public keys travel as Multikey: ``"z"`` + base58btc(0xED 0x01 ‖ the raw 32-byte key).

This module knows no domain: what a credential says, and which key signs it, belong to the
domain that issues it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
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
# An IRI with a scheme, or a blank node: what RDF keeps (``undefined_terms``).
ABSOLUTE_IRI = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*|_):\S*")
# Every context a document may name, and its bundled copy (see contexts/README.md).
BUNDLED_CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
}


# Caps on RDFC-1.0's deep hashing (§4.8): calls per canonicalisation, and blank nodes whose
# orders are tried at once (6! = 720). A credential's blank nodes (criteria, identity objects,
# results, the proof) differ at the first degree and need none of it.
MAX_DEEP_HASHES = 256
MAX_PERMUTED_BLANK_NODES = 6


class ContextRefused(ValueError):
    """A document names a JSON-LD context that is not bundled."""


class CanonicalisationRefused(ValueError):
    """A document's blank nodes would make canonicalising it too costly (a crafted graph)."""


class UndefinedTerms(ValueError):
    """A document has members its contexts do not define: a proof would not cover them."""


@cache
def _bundled(url: str) -> dict[str, Any]:
    path = CONTEXTS_FOLDER / BUNDLED_CONTEXTS[url]
    context: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return context


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a bundled context as PyLD expects it; refuse any other URL."""
    if url not in BUNDLED_CONTEXTS:
        raise ContextRefused(f"JSON-LD context not bundled: {url!r}")
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(_bundled(url))}


def canonical_nquads(
    document: dict[str, Any], loader: Callable[..., dict[str, Any]] = document_loader
) -> str:
    """Return the document canonicalised to N-Quads (RDFC-1.0), as ``jsonld.normalize`` does.

    Raises ``ContextRefused`` for a context that is not bundled (PyLD wraps the loader's error
    in its own: it is unwrapped so that callers can tell it apart), ``CanonicalisationRefused``
    past the work caps, ``TypeError`` for anything but a JSON object (PyLD would take a string
    for a URL to load) and PyLD's ``JsonLdError`` for invalid JSON-LD.
    """
    from pyld import jsonld  # its import costs ≈ 0.1 s: loaded when a proof is made or checked

    if not isinstance(document, dict):
        raise TypeError("a JSON-LD document to canonicalise must be a JSON object")
    with _context_refusals():
        dataset = jsonld.to_rdf(document, {"documentLoader": loader})
    nquads: str = _bounded_canonicaliser()().main(dataset, {"format": "application/n-quads"})
    return nquads


@contextmanager
def _context_refusals() -> Iterator[None]:
    """Raise the loader's ``ContextRefused`` that PyLD wrapped in its own errors."""
    from pyld import jsonld

    try:
        yield
    except jsonld.JsonLdError as error:
        cause: BaseException | None = error
        while cause is not None and not isinstance(cause, ContextRefused):
            cause = cause.__cause__
        if cause is not None:
            raise cause from None
        raise


@cache
def _bounded_canonicaliser() -> type:
    """Return PyLD's RDFC-1.0 canonicaliser with RDFC-1.0's recommended bound on its work."""
    from pyld.canon import URDNA2015

    class BoundedCanonicaliser(URDNA2015):  # type: ignore[misc]  # PyLD is untyped
        def __init__(self) -> None:
            super().__init__()
            self.deep_hashes = 0

        def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
            self.deep_hashes += 1
            if self.deep_hashes > MAX_DEEP_HASHES:
                raise CanonicalisationRefused("too many look-alike blank nodes to canonicalise")
            return super().hash_n_degree_quads(id_, issuer)

        def create_hash_to_related(self, id_: str, issuer: Any) -> dict[str, list[str]]:
            related: dict[str, list[str]] = super().create_hash_to_related(id_, issuer)
            if any(len(nodes) > MAX_PERMUTED_BLANK_NODES for nodes in related.values()):
                raise CanonicalisationRefused("too many look-alike blank nodes to canonicalise")
            return related

    return BoundedCanonicaliser


def undefined_terms(
    document: dict[str, Any], loader: Callable[..., dict[str, Any]] = document_loader
) -> list[str]:
    """Return the members of the document that no context defines (none for a sound document).

    JSON-LD drops a member whose name its contexts do not map to an IRI (VC 2.0's context has
    no ``@vocab``), and RDF drops a relative IRI used as a type or an id: the canonical form,
    and so the proof, would not cover them, and changing them would not break the proof. As
    jsonld.js's "safe mode" does, expansion reports each dropped member, and the expanded
    document is searched for relative IRIs.
    """
    from pyld import jsonld

    found: set[str] = set()
    nameless: list[None] = []  # PyLD names a keyword-like member or a term defined as null None

    def dropped(term: str | None) -> None:
        found.add(term) if term is not None else nameless.append(None)

    with _context_refusals():
        # No base: a relative IRI stays relative and is found (PyLD would otherwise resolve it
        # against its own example base, where jsonld.js would drop it).
        options = {"documentLoader": loader, "base": None}
        expanded = jsonld.expand(document, options, on_property_dropped=dropped)
    _relative_iris(expanded, found)
    if nameless:
        before = len(found)
        _keyword_like(document, found)
        if len(found) == before:
            found.add("a term defined as null")
    return sorted(found)


def _keyword_like(value: Any, found: set[str]) -> None:
    """Add the members named like keywords that are none (``@note``) to ``found``."""
    from pyld.jsonld import KEYWORDS

    if isinstance(value, list):
        for item in value:
            _keyword_like(item, found)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("@") and key not in KEYWORDS:
                found.add(key)
            if key != "@context":
                _keyword_like(item, found)


def _relative_iris(value: Any, found: set[str]) -> None:
    """Add the relative IRIs used as ``@type`` or ``@id`` in an expanded document to ``found``."""
    if isinstance(value, list):
        for item in value:
            _relative_iris(item, found)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in {"@type", "@id"}:
                found.update(
                    iri
                    for iri in (item if isinstance(item, list) else [item])
                    if isinstance(iri, str) and not ABSOLUTE_IRI.fullmatch(iri)
                )
            else:
                _relative_iris(item, found)


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
    undefined = undefined_terms(unsigned, loader)
    if undefined:
        raise UndefinedTerms(f"terms no context defines: {', '.join(undefined)}")
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(hash_data(unsigned, _proof_config(unsigned, proof), loader))
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
    config = _proof_config(unsigned, proof)
    try:
        undefined = undefined_terms(unsigned, loader) + undefined_terms(config, loader)
        if undefined:
            return ProofCheck(
                False, method, created, f"the proof does not cover {', '.join(undefined)}"
            )
        data = hash_data(unsigned, config, loader)
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
