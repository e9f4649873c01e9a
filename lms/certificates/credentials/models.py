"""The issuer's credential keys (public parts) and the status lists that revoke credentials.

- ``CredentialKey``: every Ed25519 key that ever signed a credential, by its key id, with its
  public key as a Multikey. Private keys stay in files of the instance folder
  (``lms.certificates.credentials.keys``); public ones live here so that a backup carries them
  and a credential signed before a rotation keeps verifying. A retired key signs nothing more.
- ``IssuedCredential``: a certificate's signed credential, frozen at issuance like its PDF (in
  which it is embedded), and its entry in a status list: one per certificate, its index its own.
- ``StatusList``: a bitstring of ``size`` entries (at least 131,072, Bitstring Status List
  1.0), one bit per credential, set when its certificate is revoked or superseded. Indices are
  handed out in order from ``next_index`` and never reused. ``version`` counts changes;
  ``signed`` holds the list's signed credential for ``signed_version``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from lms.certificates.models import Certificate
from lms.core.db import UTCDateTime
from lms.core.time import utcnow
from lms.extensions import db

# The smallest list the specification allows: 16 KB before compression (herd privacy).
STATUS_LIST_SIZE = 131_072
REVOCATION = "revocation"


class CredentialKey(db.Model):
    """An Ed25519 key of the issuer, published as a Multikey verification method."""

    __tablename__ = "credential_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(40), unique=True)
    public_key_multibase: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<CredentialKey {self.kid}{' retired' if self.retired_at else ''}>"


class StatusList(db.Model):
    """A Bitstring Status List: one bit per credential, for one purpose."""

    __tablename__ = "status_lists"
    __table_args__ = (
        CheckConstraint("size >= 131072 AND size % 8 = 0", name="size_allowed"),
        CheckConstraint("next_index BETWEEN 0 AND size", name="next_index_in_list"),
        CheckConstraint("purpose IN ('revocation')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20), default=REVOCATION)
    size: Mapped[int] = mapped_column(default=STATUS_LIST_SIZE)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    next_index: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=0)
    signed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    signed_version: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<StatusList {self.id} {self.purpose} {self.next_index}/{self.size}>"


class IssuedCredential(db.Model):
    """The Open Badges 3.0 credential of a certificate, and its bit in a status list."""

    __tablename__ = "issued_credentials"
    __table_args__ = (
        UniqueConstraint("status_list_id", "status_index"),
        CheckConstraint("status_index >= 0", name="status_index_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificates.id", ondelete="RESTRICT"), unique=True
    )
    status_list_id: Mapped[int] = mapped_column(ForeignKey("status_lists.id", ondelete="RESTRICT"))
    status_index: Mapped[int]
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    key_id: Mapped[int] = mapped_column(ForeignKey("credential_keys.id", ondelete="RESTRICT"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # ``Certificate.credential``: a credential made for a certificate is saved when the
    # certificate is added to the session, and never when its request lost the race.
    certificate: Mapped[Certificate] = relationship(
        backref=backref("credential", uselist=False, lazy="select")
    )
    status_list: Mapped[StatusList] = relationship()
    key: Mapped[CredentialKey] = relationship()

    def __repr__(self) -> str:
        return f"<IssuedCredential of certificate {self.certificate_id} at {self.status_index}>"
