"""JSON-LD to canonical N-Quads (RDFC-1.0), with bundled contexts only: what proofs sign.

- JSON-LD contexts are never fetched: ``document_loader`` serves the copies bundled in
  ``lms/core/contexts/`` and refuses every other URL (``ContextRefused``), so canonicalising
  costs no network and cannot be steered by a document naming a context of its own.
- PyLD 3.3's ``URDNA2015`` is RDFC-1.0 (PyLD refuses the newer name). Its canonicaliser has no
  bound on the work a crafted graph of look-alike blank nodes can ask for (RDFC-1.0 §4.4 lets
  it grow with the factorial of their number), and a verifier checks pasted documents: the
  work is capped here (``CanonicalisationRefused``), far above what a credential needs.
- What JSON-LD would drop silently (an undefined term, a relative IRI) is reported
  (``undefined_terms``): a proof cannot cover it. Documents are expanded without a base, as
  jsonld.js does, so that both sign the same statements.

Used by ``lms.core.dataintegrity``; knows no domain.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CONTEXTS_FOLDER = Path(__file__).with_name("contexts")
# An IRI with a scheme, or a blank node: what RDF keeps (``undefined_terms``).
ABSOLUTE_IRI = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*|_):\S*")
# Relative type names a credential may carry although no context defines them (they are left
# out of the canonical form, so the proof does not cover them): the ``credentialSchema`` type
# that 1EdTech's validator looks for, a hint to validators rather than a claim.
UNCOVERED_TYPES = frozenset({"1EdTechJsonSchemaValidator2019"})
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
    """Return a bundled context as PyLD expects it; refuse any other URL.

    The ``static`` tag lets PyLD keep the parsed context for the process (it halves the cost
    of expanding a credential); only bundled contexts are tagged, so a context this loader
    refuses is never served from that cache, whichever loader asked first.
    """
    if url not in BUNDLED_CONTEXTS:
        raise ContextRefused(f"JSON-LD context not bundled: {url!r}")
    document = copy.deepcopy(_bundled(url))
    return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}


def canonical_nquads(
    document: dict[str, Any], loader: Callable[..., dict[str, Any]] = document_loader
) -> str:
    """Return the document canonicalised to N-Quads (RDFC-1.0), as ``jsonld.normalize`` does.

    Raises ``ContextRefused`` for a context that is not bundled (PyLD wraps the loader's error
    in its own: it is unwrapped so that callers can tell it apart), ``CanonicalisationRefused``
    past the work caps, ``TypeError`` for anything but a JSON object (PyLD would take a string
    for a URL to load) and PyLD's ``JsonLdError`` for invalid JSON-LD.
    """
    return canonical(read(document, loader), loader)


@dataclass(frozen=True)
class Reading:
    """A document expanded once (the costly step), and the members its contexts leave out."""

    expanded: list[Any]
    undefined: list[str]


def read(document: dict[str, Any], loader: Callable[..., dict[str, Any]]) -> Reading:
    """Expand the document without a base, noting what JSON-LD drops (``undefined_terms``)."""
    from pyld import jsonld  # its import costs ≈ 0.1 s: loaded when a proof is made or checked

    if not isinstance(document, dict):
        raise TypeError("a JSON-LD document to canonicalise must be a JSON object")
    found: set[str] = set()
    nameless: list[None] = []  # PyLD names a keyword-like member or a term defined as null None

    def dropped(term: str | None) -> None:
        found.add(term) if term is not None else nameless.append(None)

    with _context_refusals():
        # No base, as jsonld.js: a relative IRI stays relative, is found here and dropped from
        # the canonical form (PyLD 3.3 would otherwise resolve it against its own
        # http://example.org/base/, and sign what other verifiers never see).
        options = {"documentLoader": loader, "base": None}
        expanded = jsonld.expand(document, options, on_property_dropped=dropped)
    _relative_iris(expanded, found)
    found -= UNCOVERED_TYPES
    if nameless:
        before = len(found)
        _keyword_like(document, found)
        if len(found) == before:
            found.add("a term defined as null")
    return Reading(expanded, sorted(found))


def canonical(reading: Reading, loader: Callable[..., dict[str, Any]]) -> str:
    """Return an expanded document's canonical N-Quads (expanding it again costs little)."""
    from pyld import jsonld

    with _context_refusals():
        dataset = jsonld.to_rdf(reading.expanded, {"documentLoader": loader, "base": None})
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
    document is searched for relative IRIs (``UNCOVERED_TYPES`` aside).
    """
    return read(document, loader).undefined


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
