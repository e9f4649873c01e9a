"""Revocation that others can check: entries in a Bitstring Status List (W3C, May 2025).

Each credential gets the next free index of the current revocation list at issuance; a list
that is full gives way to a new one, so indices are never reused. Revoking or superseding a
certificate sets its bit in the same transaction, through ``mark_revoked``. Bit 0 of the list is
the most significant bit of its first byte, as the specification counts.

The list is published as a ``BitstringStatusListCredential`` signed like the credentials
(``eddsa-rdfc-2022``). It is signed again, in the same transaction and under the list's lock,
whenever a bit flips, so the published list never lags a revocation; and when the signing key
rotates (``resign_all``). Signing a list costs a few milliseconds: the bitstring is gzipped
(131,072 entries, mostly zeros, compress to a few hundred bytes) before it is canonicalised.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from typing import Any

from lms.accounts.tokens import link_to
from lms.certificates.credentials import keys
from lms.certificates.credentials.models import (
    REVOCATION,
    STATUS_LIST_SIZE,
    IssuedCredential,
    StatusList,
)
from lms.core import dataintegrity
from lms.core.db import lock_row_for_update
from lms.core.time import utcnow
from lms.extensions import db

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
# The largest bitstring a list may decode to (a list of 16 million entries): a gzip bomb in an
# ``encodedList`` stops there.
MAX_DECODED_BYTES = 2 * 1024 * 1024


def _new_list() -> StatusList:
    status_list = StatusList(purpose=REVOCATION, size=STATUS_LIST_SIZE)
    status_list.bits = bytes(STATUS_LIST_SIZE // 8)
    db.session.add(status_list)
    db.session.flush()
    sign_list(status_list)
    return status_list


def _open_list() -> StatusList:
    """Return the newest revocation list, locked, creating the first one if there is none."""
    newest = db.session.scalar(
        db.select(StatusList).filter_by(purpose=REVOCATION).order_by(StatusList.id.desc())
    )
    if newest is None:
        newest = _new_list()
    lock_row_for_update(db.session, StatusList, newest.id, keys_kept=True)
    db.session.refresh(newest)
    return newest


def allocate_entry() -> tuple[StatusList, int]:
    """Return the list and index a new credential takes (flushed; held until commit)."""
    status_list = _open_list()
    if status_list.next_index >= status_list.size:
        status_list = _new_list()
    index = status_list.next_index
    status_list.next_index = index + 1
    db.session.flush()
    return status_list, index


def is_set(bits: bytes, index: int) -> bool:
    """Return whether the bit at ``index`` is set (most significant bit first)."""
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def mark_revoked(issued: IssuedCredential) -> None:
    """Set the credential's bit in its list and sign the list again, in the caller's transaction.

    Raises ``keys.CredentialKeyMissing`` when no key may sign: the caller refuses the
    revocation rather than publish a list that contradicts it.
    """
    lock_row_for_update(db.session, StatusList, issued.status_list_id, keys_kept=True)
    status_list = issued.status_list
    db.session.refresh(status_list)
    if is_set(status_list.bits, issued.status_index):
        return
    bits = bytearray(status_list.bits)
    bits[issued.status_index // 8] |= 0x80 >> (issued.status_index % 8)
    status_list.bits = bytes(bits)
    status_list.version += 1
    status_list.updated_at = utcnow()
    sign_list(status_list)


def mark_certificate_revoked(certificate_id: int) -> bool:
    """Set the bit of a certificate's credential, if it has one; return whether it has one.

    Certificates issued before credentials existed have none: their state alone says revoked.
    """
    issued = db.session.scalar(db.select(IssuedCredential).filter_by(certificate_id=certificate_id))
    if issued is None:
        return False
    mark_revoked(issued)
    return True


# The published list --------------------------------------------------------------------------


def status_list_url(status_list_id: int) -> str:
    """Return the URL that publishes a list (the ``statusListCredential`` of its entries)."""
    return link_to("credentials.status_list", list_id=status_list_id)


def encode_bits(bits: bytes) -> str:
    """Return ``encodedList``: multibase base64url (``u``, no padding) of the gzipped bits.

    ``mtime=0`` keeps the encoding a function of the bits alone.
    """
    compressed = gzip.compress(bits, compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_bits(encoded: str, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """Return the bits of an ``encodedList``; ValueError if it is not one or is too large."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise ValueError("an encodedList is multibase base64url, starting with 'u'")
    try:
        compressed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
        decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
        bits = decompressor.decompress(compressed, max_bytes + 1)
    except (binascii.Error, zlib.error) as error:
        raise ValueError(f"the encodedList is not gzipped base64url ({error})") from error
    if len(bits) > max_bytes or decompressor.unconsumed_tail:
        raise ValueError("the encodedList is larger than any list we would read")
    if not decompressor.eof:
        raise ValueError("the encodedList is truncated")
    return bits


def list_credential(status_list: StatusList) -> dict[str, Any]:
    """Return the list's ``BitstringStatusListCredential``, unsigned (VC Data Model 2.0)."""
    url = status_list_url(status_list.id)
    return {
        "@context": [VC_V2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": link_to("credentials.issuer"),
        "validFrom": dataintegrity.xsd_datetime(status_list.updated_at),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose,
            "encodedList": encode_bits(status_list.bits),
        },
    }


def signed_list_credential(status_list: StatusList) -> dict[str, Any]:
    """Return the list's credential signed now with the current key (nothing stored)."""
    key, private_key = keys.current_key()
    return dataintegrity.sign(
        list_credential(status_list), private_key, keys.verification_method(key), utcnow()
    )


def sign_list(status_list: StatusList) -> None:
    """Store the list's signed credential for its current version (flushed)."""
    status_list.signed = signed_list_credential(status_list)
    status_list.signed_version = status_list.version
    db.session.flush()


def resign_all() -> int:
    """Sign every list again with the current key, e.g. after a rotation; return how many.

    Each list is locked while it is signed, and its version moves on so that readers holding
    the previous one (``ETag``) fetch the new signature.
    """
    ids = list(db.session.scalars(db.select(StatusList.id).order_by(StatusList.id)))
    for list_id in ids:
        lock_row_for_update(db.session, StatusList, list_id, keys_kept=True)
        status_list = db.session.get(StatusList, list_id)
        assert status_list is not None  # lists are never deleted
        db.session.refresh(status_list)
        status_list.version += 1
        status_list.updated_at = utcnow()
        sign_list(status_list)
    return len(ids)


def published(status_list: StatusList) -> dict[str, Any]:
    """Return the signed credential to serve: the stored one, or a fresh signature if stale."""
    if status_list.signed is not None and status_list.signed_version == status_list.version:
        return status_list.signed
    return signed_list_credential(status_list)
