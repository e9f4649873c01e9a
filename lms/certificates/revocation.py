"""Revoking a certificate, and re-issuing one that supersedes it.

Services flush and never commit (DESIGN.md §4); views and commands commit. A re-issue renders
its PDF before it takes the learner's lock, as an issue does (``lms.certificates.issuing``).
Both set the bit of the certificate's credential in its status list in the same transaction,
so the published list never says "valid" of a certificate the database calls revoked; when the
list cannot be signed (no key), the revocation is refused rather than half done.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from lms.accounts.models import User
from lms.certificates.credentials.keys import CredentialKeyMissing
from lms.certificates.credentials.status import mark_certificate_revoked
from lms.certificates.decisions import checked_reason
from lms.certificates.errors import CertificateError
from lms.certificates.issuing import certificate_folder, prepare_certificate, record_change
from lms.certificates.models import Certificate, CertificateState
from lms.core import storage
from lms.core.db import lock_row_for_update
from lms.core.time import utcnow
from lms.extensions import db


def revoke_certificate(
    certificate: Certificate, *, revoked_by: User, reason: str, now: datetime | None = None
) -> None:
    """Revoke a valid certificate: its record stays, its PDF is no longer served."""
    reason = checked_reason(reason)
    if not certificate.is_valid:
        raise CertificateError(_("Only a valid certificate can be revoked."))
    if not reason:
        raise CertificateError(_("Say why the certificate is revoked."))
    certificate.state = CertificateState.REVOKED
    certificate.revoked_at = now or utcnow()
    certificate.revoked_by = revoked_by
    certificate.revocation_reason = reason
    db.session.flush()
    _flip_status_bit(certificate)
    record_change(revoked_by, "certificate.revoke", certificate, reason=reason)


def reissue_certificate(
    certificate: Certificate, *, issued_by: User, reason: str, now: datetime | None = None
) -> Certificate:
    """Issue a new certificate that supersedes a valid one (e.g. after a name correction).

    The new document is read afresh (name, levels, calendar); the decision stays the one that
    allowed the first issue, so a re-issue never needs a new decision.
    """
    reason = checked_reason(reason)
    if not certificate.is_valid:
        raise CertificateError(_("Only a valid certificate can be re-issued."))
    if not reason:
        raise CertificateError(_("Say why the certificate is re-issued."))
    now = now or utcnow()
    replacement, stored = prepare_certificate(
        certificate.cohort, certificate.learner, certificate.block, now, certificate.decision
    )
    replacement.decision, replacement.issued_by = certificate.decision, issued_by
    try:
        lock_row_for_update(db.session, User, certificate.learner_id)
        db.session.refresh(certificate)
        if not certificate.is_valid:
            raise CertificateError(_("This certificate was changed meanwhile; reload the page."))
        certificate.state, certificate.superseded_at = CertificateState.SUPERSEDED, now
        db.session.flush()  # the old one leaves the unique index before the new one enters it
        _flip_status_bit(certificate)
        replacement.supersedes = certificate
        db.session.add(replacement)
        db.session.flush()
    except BaseException:
        storage.delete_stored(certificate_folder(), stored.key)
        raise
    record_change(
        issued_by, "certificate.reissue", replacement, reason=reason, supersedes=certificate.number
    )
    return replacement


def _flip_status_bit(certificate: Certificate) -> None:
    """Set the bit of the certificate's credential, if it has one, in this transaction."""
    try:
        mark_certificate_revoked(certificate.id)
    except CredentialKeyMissing as error:
        raise CertificateError(
            _(
                "The revocation list cannot be signed (no credential key): nothing was changed. "
                "Ask the administrator of the server to run `lms keys rotate`."
            )
        ) from error
