"""The organisation's signature on the documents of certification: certificates and block
attestations, the jury's minutes, certificats de réalisation and attestations de fin de formation.

``lms.core.pades`` signs (PAdES, as an incremental update of the PDF/A); this module says what
each signature states — its reason, in French like the documents themselves, and its place — and
turns a signing failure into the domain's refusal: the person acting reads that documents cannot
be signed, and the log says why (never a secret). Signing happens where each PDF is stored, just
before; a document is never stored unsigned while an identity is configured.
"""

from __future__ import annotations

from lms.certificates.document import CertificateDocument, CertificateKind
from lms.certificates.errors import CertificateError
from lms.certificates.jury.errors import JuryError
from lms.certificates.minutes.document import MinutesDocument
from lms.certificates.realisation.document import DocumentKind, RealisationDocument
from lms.core import pades

CERTIFICATE_REASONS = {
    CertificateKind.PATH: "Certificat délivré par {organisation}",
    CertificateKind.BLOCK: "Attestation de bloc de compétences délivrée par {organisation}",
}
REALISATION_REASONS = {
    DocumentKind.REALISATION: "Certificat de réalisation délivré par {organisation}",
    DocumentKind.COMPLETION: "Attestation de fin de formation délivrée par {organisation}",
}
MINUTES_REASON = "Procès-verbal de délibération du jury, établi par {organisation}"


def sign_document(
    pdf: bytes,
    *,
    reason: str,
    place: str | None,
    error: type[CertificateError] = CertificateError,
) -> bytes:
    """Return the PDF signed by the organisation (unchanged when no identity is configured)."""
    return pades.sign_or_refuse(pdf, reason=reason, place=place, refusal=error)


def sign_certificate(pdf: bytes, document: CertificateDocument) -> bytes:
    """Sign a certificate or block attestation in the name of the certifying organisation."""
    reason = CERTIFICATE_REASONS[document.kind].format(organisation=document.organisation)
    return sign_document(pdf, reason=reason, place=document.place)


def sign_realisation(pdf: bytes, document: RealisationDocument) -> bytes:
    """Sign a certificat de réalisation or attestation in the training organisation's name."""
    reason = REALISATION_REASONS[document.kind].format(organisation=document.organisation)
    return sign_document(pdf, reason=reason, place=document.place)


def sign_minutes(pdf: bytes, document: MinutesDocument) -> bytes:
    """Sign the jury's minutes in the certifier's name (a failure is the jury's refusal)."""
    reason = MINUTES_REASON.format(organisation=document.certifier)
    return sign_document(pdf, reason=reason, place=document.signed_place, error=JuryError)
