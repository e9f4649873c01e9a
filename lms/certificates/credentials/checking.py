"""Checking a credential someone shows us: is it one we issued, unaltered, and is it revoked?

The verification page runs this on the credential embedded in a dropped PDF and on a pasted
credential. Anyone may send anything, so the check is bounded before it does real work:

- the text is at most ``MAX_CREDENTIAL_BYTES``, valid JSON (no ``NaN``), an object, at most
  ``MAX_DEPTH`` levels deep and ``MAX_NODES`` values large;
- every JSON-LD context it names must be one we bundle (``lms.core.dataintegrity``): a document
  naming another one is refused, and the page says which;
- its proof must name one of our verification methods (``keys.public_key_for``): a proof by any
  other key is reported as such, not checked;
- its status entry must point into one of our lists, at an entry we handed out; the document
  must then be, value for value, the credential we stored for that entry. Only then is its
  proof checked (``dataintegrity.verify``), on the stored copy, which is the same document.
  A proof may come alone or as a set (ours are a one-proof set, as 1EdTech's schema wants).

Why not canonicalise whatever arrives: RDF canonicalisation (RDFC-1.0) takes exponential time
on crafted documents with many look-alike blank nodes (an 8 KB document took 25 s here), so the
page only ever canonicalises documents we built. A credential of ours that a wallet re-wrote
(keys reordered are fine; arrays reordered are not) is then reported as differing from what we
issued, which is what the holder should hear anyway.

The report carries plain values only: what the page may show of the credential is what the
certificate's verification page shows (``lms.certificates.verification.public_facts``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lms.certificates.credentials import keys
from lms.certificates.credentials.issuance import verify_credential
from lms.certificates.credentials.models import IssuedCredential, StatusList
from lms.certificates.credentials.status import is_set, status_list_url
from lms.core import dataintegrity
from lms.extensions import db

MAX_CREDENTIAL_BYTES = 64 * 1024
MAX_DEPTH = 32
MAX_NODES = 20_000
SHOWN_URL_LENGTH = 120
_LIST_ID = re.compile(r"[0-9]{1,10}")
_INDEX = re.compile(r"[0-9]{1,10}")


class Proof:
    """What the proof check found (values of ``CredentialReport.proof``)."""

    VALID = "valid"
    NO_PROOF = "no_proof"
    FOREIGN_KEY = "foreign_key"  # signed by a key that is not ours: not checked
    NOT_ISSUED = "not_issued"  # our key, but no credential of ours at its status entry
    ALTERED = "altered"  # our key and entry, but not the document we issued
    INVALID = "invalid"  # the document we issued, whose proof fails (should never happen)


class Status:
    """What the status check found (values of ``CredentialReport.status``)."""

    VALID = "valid"
    REVOKED = "revoked"
    NONE = "none"  # the credential names no revocation entry
    FOREIGN = "foreign"  # its entry is in a list we do not publish
    UNKNOWN = "unknown"  # its entry is not one we handed out


class Problem:
    """Why the text was not checked at all (values of ``CredentialReport.problem``)."""

    TOO_LARGE = "too_large"
    NOT_JSON = "not_json"
    NOT_OBJECT = "not_object"
    TOO_DEEP = "too_deep"
    CONTEXT_REFUSED = "context_refused"


@dataclass(frozen=True)
class CredentialReport:
    """The answer about one credential, in values the page turns into sentences."""

    problem: str | None = None
    refused_context: str | None = None
    proof: str | None = None
    signed_at: datetime | None = None
    status: str | None = None
    # The certificate's number and verification code: only for a credential we issued, unaltered.
    certificate_number: str | None = None
    certificate_code: str | None = None

    @property
    def checked(self) -> bool:
        return self.problem is None


def _refused(problem: str, context: str | None = None) -> CredentialReport:
    return CredentialReport(problem=problem, refused_context=context)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse(text: str | bytes) -> tuple[Any, str | None]:
    """Return the parsed credential, or None and the problem (size first, then syntax)."""
    if len(text) > MAX_CREDENTIAL_BYTES:
        return None, Problem.TOO_LARGE
    try:
        return json.loads(text, parse_constant=_refuse_constant), None
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError included
        return None, Problem.NOT_JSON


def shape_problem(document: Any) -> str | None:
    """Return why a parsed document is not worth looking at, walking it without recursion."""
    if not isinstance(document, dict):
        return Problem.NOT_OBJECT
    pending: list[tuple[Any, int]] = [(document, 1)]
    nodes = 0
    while pending:
        value, depth = pending.pop()
        nodes += 1
        if depth > MAX_DEPTH or nodes > MAX_NODES:
            return Problem.TOO_DEEP
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, float) and not math.isfinite(value):
            return Problem.NOT_JSON
    return None


def _contexts(document: Any) -> list[Any]:
    """Return every ``@context`` value the document names, at any depth (flattened)."""
    found: list[Any] = []
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "@context":
                    found.extend(item if isinstance(item, list) else [item])
                else:
                    pending.append(item)
        elif isinstance(value, list):
            pending.extend(value)
    return found


def _refused_context(document: dict[str, Any]) -> str | None:
    """Return the first context that is not a bundled URL (shortened), None when all are."""
    for context in _contexts(document):
        if not isinstance(context, str):
            return json.dumps(context, ensure_ascii=False)[:SHOWN_URL_LENGTH]
        if context not in dataintegrity.BUNDLED_CONTEXTS:
            return context[:SHOWN_URL_LENGTH]
    return None


def _entry(document: dict[str, Any]) -> dict[str, Any] | None:
    """Return the credential's revocation entry (``credentialStatus`` may be one or a list)."""
    entries = document.get("credentialStatus")
    for entry in entries if isinstance(entries, list) else [entries]:
        if isinstance(entry, dict) and entry.get("statusPurpose") == "revocation":
            return entry
    return None


def _our_entry(entry: dict[str, Any]) -> tuple[StatusList, int] | None:
    """Return the list of ours and the index an entry names; None when the list is not ours."""
    url, index = entry.get("statusListCredential"), entry.get("statusListIndex")
    if not isinstance(url, str) or not isinstance(index, str | int) or isinstance(index, bool):
        return None
    list_id = url.rstrip("/").rsplit("/", 1)[-1]
    if not _LIST_ID.fullmatch(list_id) or not _INDEX.fullmatch(str(index)):
        return None
    if status_list_url(int(list_id)) != url:
        return None
    status_list = db.session.get(StatusList, int(list_id))
    if status_list is None or int(index) >= status_list.size:
        return None
    return status_list, int(index)


def _status(entry: dict[str, Any] | None) -> tuple[str, tuple[StatusList, int] | None]:
    if entry is None:
        return Status.NONE, None
    ours = _our_entry(entry)
    if ours is None:
        url = entry.get("statusListCredential")
        same_site = isinstance(url, str) and url.startswith(status_list_url(0).rsplit("/", 1)[0])
        return (Status.UNKNOWN if same_site else Status.FOREIGN), None
    status_list, index = ours
    if index >= status_list.next_index:
        return Status.UNKNOWN, None
    return (Status.REVOKED if is_set(status_list.bits, index) else Status.VALID), ours


def _proofs(value: Any) -> list[dict[str, Any]]:
    """Return the proofs of a credential: one, or a set (VC 2.0 allows both; ours is a set)."""
    proofs = value if isinstance(value, list) else [value]
    return [proof for proof in proofs if isinstance(proof, dict)]


def _moment(value: str | None) -> datetime | None:
    """Return the proof's ``created`` time (written by us: ``2026-12-05T10:00:00Z``)."""
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def check_document(document: Any) -> CredentialReport:
    """Check a parsed credential: its shape, contexts, proof and status (see the module)."""
    if problem := shape_problem(document):
        return _refused(problem)
    if context := _refused_context(document):
        return _refused(Problem.CONTEXT_REFUSED, context)
    status, ours = _status(_entry(document))
    proofs = _proofs(document.get("proof"))
    if not proofs:
        return CredentialReport(proof=Proof.NO_PROOF, status=status)
    methods = [proof.get("verificationMethod") for proof in proofs]
    if not any(isinstance(m, str) and keys.public_key_for(m[:500]) for m in methods):
        return CredentialReport(proof=Proof.FOREIGN_KEY, status=status)
    issued = None
    if ours is not None:
        status_list, index = ours
        issued = db.session.scalar(
            db.select(IssuedCredential).filter_by(status_list_id=status_list.id, status_index=index)
        )
    if issued is None:
        return CredentialReport(proof=Proof.NOT_ISSUED, status=status)
    if issued.document != document:
        return CredentialReport(proof=Proof.ALTERED, status=status)
    check = verify_credential(issued.document)
    if not check.valid:
        return CredentialReport(proof=Proof.INVALID, status=status)
    certificate = issued.certificate
    return CredentialReport(
        proof=Proof.VALID,
        status=status,
        signed_at=_moment(check.created),
        certificate_number=certificate.number,
        certificate_code=certificate.code,
    )


def check_text(text: str | bytes) -> CredentialReport:
    """Check a credential given as JSON text (pasted, or read out of a PDF)."""
    document, problem = parse(text)
    if problem:
        return _refused(problem)
    return check_document(document)
