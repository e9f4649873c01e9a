"""Revocation that others can check: entries in a Bitstring Status List (W3C, May 2025).

Each credential gets the next free index of the current revocation list at issuance; a list
that is full gives way to a new one, so indices are never reused. Revoking or superseding a
certificate sets its bit in the same transaction, through ``mark_revoked``. Bit 0 of the list is
the most significant bit of its first byte, as the specification counts.
"""

from __future__ import annotations

from lms.certificates.credentials.models import (
    REVOCATION,
    STATUS_LIST_SIZE,
    IssuedCredential,
    StatusList,
)
from lms.core.db import lock_row_for_update
from lms.core.time import utcnow
from lms.extensions import db


def _new_list() -> StatusList:
    status_list = StatusList(purpose=REVOCATION, size=STATUS_LIST_SIZE)
    status_list.bits = bytes(STATUS_LIST_SIZE // 8)
    db.session.add(status_list)
    db.session.flush()
    return status_list


def _open_list() -> StatusList:
    """Return the newest revocation list, locked, creating the first one if there is none."""
    newest = db.session.scalar(
        db.select(StatusList).filter_by(purpose=REVOCATION).order_by(StatusList.id.desc())
    )
    if newest is None:
        newest = _new_list()
    lock_row_for_update(db.session, StatusList, newest.id)
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
    """Set the credential's bit in its list, in the caller's transaction (flushed)."""
    lock_row_for_update(db.session, StatusList, issued.status_list_id)
    status_list = issued.status_list
    db.session.refresh(status_list)
    if is_set(status_list.bits, issued.status_index):
        return
    bits = bytearray(status_list.bits)
    bits[issued.status_index // 8] |= 0x80 >> (issued.status_index % 8)
    status_list.bits = bytes(bits)
    status_list.version += 1
    status_list.updated_at = utcnow()
    db.session.flush()
