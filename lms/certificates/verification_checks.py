"""What the check form finds beyond the fingerprint: signatures, and the credential and its status.

A dropped PDF is read once, in memory (at most ``CERTIFICATE_CHECK_MAX_BYTES``), and never kept:

- its PAdES signatures, read offline by ``lms.core.pades_verify`` against our signing
  certificate's chain (``trust_roots``): who signed, when, whether the signed bytes are intact
  and cover the whole file, and whether the signer is us;
- the Open Badges credential it carries as a PDF/A-3 associated file (``credential.json``),
  read with pyHanko's reader within bounds (``lms.core.pdf_attachments``) and checked like a
  pasted one (``lms.certificates.credentials.checking``): proof, then status in our list.

A pasted credential goes through ``CredentialForm``: at most ``MAX_CREDENTIAL_BYTES`` of JSON,
an object; what is wrong with the text itself is said beside the field, what is wrong with the
credential is said in the results.

For the certificate's own page (``/verify/<code>``), ``credential_facts`` reads the bit of its
credential in our list, and the address of the credential, when it has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, ValidationError

from lms.certificates.credentials.checking import (
    MAX_CREDENTIAL_BYTES,
    CredentialReport,
    Problem,
    check_document,
    check_text,
    parse,
    shape_problem,
)
from lms.certificates.credentials.issuance import ATTACHMENT_NAME, credential_of, credential_url
from lms.certificates.credentials.status import is_set
from lms.certificates.models import Certificate, CertificateState
from lms.core.pades_verify import SignatureReport, inspect_signatures, trust_roots
from lms.core.pdf_attachments import AttachmentTooLarge, AttachmentUnreadable, embedded_file


class Attached:
    """What the file carries as a credential (values of ``FileReport.attachment``)."""

    FOUND = "found"
    NONE = "none"
    UNREADABLE = "unreadable"
    TOO_LARGE = "too_large"


@dataclass(frozen=True)
class FileReport:
    """The signatures of a dropped PDF, and the credential it carries."""

    signatures: tuple[SignatureReport, ...]
    attachment: str
    credential: CredentialReport | None


def inspect_file(data: bytes) -> FileReport:
    """Read a dropped PDF's signatures and check the credential it carries."""
    signatures = tuple(inspect_signatures(data, trust_roots()))
    try:
        text = embedded_file(data, ATTACHMENT_NAME, MAX_CREDENTIAL_BYTES)
    except AttachmentTooLarge:
        return FileReport(signatures, Attached.TOO_LARGE, None)
    except AttachmentUnreadable:
        return FileReport(signatures, Attached.UNREADABLE, None)
    if text is None:
        return FileReport(signatures, Attached.NONE, None)
    return FileReport(signatures, Attached.FOUND, check_text(text))


def kilobytes(size: int) -> str:
    """Return a size in kilobytes, as the reader writes numbers."""
    return format_decimal(round(size / 1024))


class CredentialForm(FlaskForm):
    """A credential's JSON, pasted, to check its proof and status."""

    credential = TextAreaField(
        _l("Credential (JSON)"),
        validators=[DataRequired(_l("Paste the JSON text of the credential."))],
        render_kw={"rows": 8, "spellcheck": "false", "autocomplete": "off"},
    )
    document: Any = None

    def validate_credential(self, field) -> None:
        """Accept JSON text of at most 64 KB whose value is a plausible object; keep it parsed."""
        document, problem = parse(field.data.encode())
        problem = problem or shape_problem(document)
        if problem is not None:
            raise ValidationError(self.messages()[problem])
        self.document = document

    @staticmethod
    def messages() -> dict[str, str]:
        """Return what is said beside the field for each problem of the text itself."""
        return {
            Problem.TOO_LARGE: _(
                "This text is longer than %(size)s KB: it cannot be one of our credentials.",
                size=kilobytes(MAX_CREDENTIAL_BYTES),
            ),
            Problem.NOT_JSON: _(
                "This text is not valid JSON: paste the credential exactly as you received it."
            ),
            Problem.NOT_OBJECT: _(
                "This JSON is not a credential: a credential is an object, between { and }."
            ),
            Problem.TOO_DEEP: _(
                "This JSON is nested too deeply, or holds too many values, to be a credential."
            ),
        }

    def report(self) -> CredentialReport:
        """Return the check of the pasted credential (after ``validate_on_submit``)."""
        return check_document(self.document)


@dataclass(frozen=True)
class CredentialFacts:
    """A certificate's credential as its verification page shows it."""

    status: str  # "valid" or "revoked", as our list says
    url: str | None  # where the credential is served (valid and revoked certificates)

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "url": self.url}


def credential_facts(certificate: Certificate) -> CredentialFacts | None:
    """Return the status of the certificate's credential in our list; None when it has none."""
    issued = credential_of(certificate.id)
    if issued is None:
        return None
    revoked = is_set(issued.status_list.bits, issued.status_index)
    served = certificate.state in (CertificateState.VALID, CertificateState.REVOKED)
    return CredentialFacts(
        status="revoked" if revoked else "valid",
        url=credential_url(certificate.code) if served else None,
    )
