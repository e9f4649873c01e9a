"""Read the signatures of a PDF, offline and within bounds, and say in plain words what they prove.

``inspect_signatures`` is called on files anyone uploads to the public verification page: it
never raises, never fetches anything (no CRL, OCSP or AIA: ``allow_fetching=False``), reads at
most ``MAX_BYTES`` bytes, ``MAX_SIGNATURES`` signatures and compares at most ``MAX_REVISIONS``
revisions; a file it cannot read gives no signature rather than an error.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask import current_app
from flask_babel import lazy_gettext as _l

from lms.core.pades import SigningError, configured_identity, outside_event_loop

MAX_BYTES = 6 * 1024 * 1024
MAX_SIGNATURES = 4
MAX_REVISIONS = 16

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureReport:
    """What one signature of a PDF proves, in terms a reader of the verification page needs.

    ``intact``: the signed bytes are unchanged; ``trusted``: the signer's certificate leads to
    one of the trust roots given; ``whole_document``: the signature covers the whole file (or
    only harmless updates, such as validation data, follow it); ``problem``: a plain sentence
    when any of those fails, else None.
    """

    signer_name: str | None
    signer_organisation: str | None
    signed_at: datetime | None
    intact: bool
    trusted: bool
    whole_document: bool
    timestamped: bool
    certificate_sha256: str | None
    problem: str | None

    @property
    def is_valid(self) -> bool:
        """Say whether the signature proves the document, as a PDF reader would say "valid"."""
        return self.intact and self.trusted and self.whole_document


def trust_roots() -> list[x509.Certificate]:
    """Return the certificates a signature of ours must lead to: the configured identity's CA
    chain, and the certificates of the PEM file ``SIGNING_TRUST_ROOTS`` (earlier CAs, say)."""
    roots: list[x509.Certificate] = []
    try:
        identity = configured_identity()
    except SigningError as error:
        logger.warning("signing identity unreadable, its CA is not trusted: %s", error)
        identity = None
    if identity is not None:
        roots.extend(identity.chain)
    if extra := current_app.config.get("SIGNING_TRUST_ROOTS"):
        try:
            roots.extend(x509.load_pem_x509_certificates(Path(str(extra)).read_bytes()))
        except (OSError, ValueError) as error:
            logger.warning("SIGNING_TRUST_ROOTS %s unreadable: %s", extra, error)
    return roots


def inspect_signatures(
    data: bytes, trust_roots: Iterable[x509.Certificate]
) -> list[SignatureReport]:
    """Return a report per signature of ``data`` (none for a file that is not a signed PDF)."""
    if (
        not isinstance(data, bytes | bytearray)
        or len(data) > MAX_BYTES
        or b"%PDF-" not in data[:1024]
    ):
        return []
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        reader = PdfFileReader(BytesIO(bytes(data)), strict=False)
    except Exception:  # a damaged or hostile file: no signature to report
        return []
    try:
        signatures = list(reader.embedded_regular_signatures)[:MAX_SIGNATURES]
        many_revisions = reader.xrefs.total_revisions > MAX_REVISIONS
    except Exception:  # a signature is there, but its value cannot be read
        return [_unreadable()] if _has_filled_signature_field(reader) else []
    context = _validation_context(list(trust_roots))
    reports = []
    for signature in signatures:
        try:
            reports.append(_report(signature, context, skip_diff=many_revisions))
        except Exception:  # a signature pyHanko cannot read (RecursionError too)
            reports.append(_unreadable())
    return reports


def _has_filled_signature_field(reader: Any) -> bool:
    from pyhanko.sign.fields import enumerate_sig_fields

    try:
        return any(True for _ in enumerate_sig_fields(reader, filled_status=True))
    except Exception:  # not even the form can be read: nothing to say about a signature
        return False


def _validation_context(roots: list[x509.Certificate]) -> Any:
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=[translate_pyca_cryptography_cert_to_asn1(root) for root in roots],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def _report(signature: Any, context: Any, *, skip_diff: bool) -> SignatureReport:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    status = outside_event_loop(
        lambda: validate_pdf_signature(signature, context, skip_diff=skip_diff)
    )
    intact = bool(status.intact and status.valid)
    timestamp = status.timestamp_validity
    # A timestamp (PAdES B-T) proves the time only if its authority is trusted too.
    timestamp_ok = timestamp is None or bool(
        timestamp.intact and timestamp.valid and timestamp.trusted
    )
    trusted = bool(status.trusted) and timestamp_ok
    harmless = status.modification_level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and harmless and not skip_diff
    )
    signed_at = timestamp.timestamp if timestamp is not None else status.signer_reported_dt
    certificate = x509.load_der_x509_certificate(status.signing_cert.dump())
    return SignatureReport(
        signer_name=_name(certificate, "common_name"),
        signer_organisation=_name(certificate, "organization_name"),
        signed_at=signed_at,
        intact=intact,
        trusted=trusted,
        whole_document=whole,
        timestamped=timestamp is not None,
        certificate_sha256=hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest(),
        problem=_problem(intact, trusted, whole, timestamp_ok),
    )


def _name(certificate: x509.Certificate, attribute: str) -> str | None:
    from cryptography.x509.oid import NameOID

    oid = getattr(NameOID, attribute.upper())
    values = certificate.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def _problem(intact: bool, trusted: bool, whole: bool, timestamp_ok: bool) -> str | None:
    if not intact:
        return str(
            _l("The document was changed after it was signed: this signature proves nothing.")
        )
    if not timestamp_ok:
        return str(
            _l(
                "The signature is intact, but its timestamp does not come from an authority "
                "this site trusts."
            )
        )
    if not trusted:
        return str(
            _l(
                "The signature is intact, but its certificate does not come from an authority "
                "this site trusts."
            )
        )
    if not whole:
        return str(_l("Content was added to the document after it was signed."))
    return None


def _unreadable() -> SignatureReport:
    return SignatureReport(
        signer_name=None,
        signer_organisation=None,
        signed_at=None,
        intact=False,
        trusted=False,
        whole_document=False,
        timestamped=False,
        certificate_sha256=None,
        problem=str(_l("This signature cannot be read.")),
    )
