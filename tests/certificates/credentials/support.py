"""Credentials for tests: a certificate's credential with its status entry, signed for real.

The credential here is a minimal Verifiable Credential (VC Data Model 2.0) with the status entry
that revocation and verification read; what an Open Badge says is tested with its builder.
"""

from __future__ import annotations

from typing import Any

from lms.certificates.credentials import keys
from lms.certificates.credentials.models import IssuedCredential
from lms.certificates.credentials.status import allocate_entry, status_list_url
from lms.certificates.models import Certificate
from lms.core import dataintegrity
from lms.core.time import utcnow
from lms.extensions import db

VC_V2 = "https://www.w3.org/ns/credentials/v2"
# The e-mail of the learner whose certificate the verification tests check: it must never show.
LEARNER_EMAIL = "ines.secret@example.org"


def credential_document(list_id: int, index: int, **changes: Any) -> dict[str, Any]:
    """Return an unsigned credential pointing at ``index`` of list ``list_id``."""
    return {
        "@context": [VC_V2],
        "id": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
        "type": ["VerifiableCredential"],
        "issuer": keys.link_to("credentials.issuer"),
        "validFrom": "2026-01-05T09:00:00Z",
        "name": "Entrepreneur·e du bien-vivre",
        "credentialSubject": {"id": "urn:example:learner"},
        "credentialStatus": {
            "id": f"{status_list_url(list_id)}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": status_list_url(list_id),
        },
        **changes,
    }


def sign(document: dict[str, Any]) -> dict[str, Any]:
    """Return the document signed with the issuer's current key."""
    key, private_key = keys.current_key()
    return dataintegrity.sign(document, private_key, keys.verification_method(key), utcnow())


def issue_credential(certificate: Certificate) -> IssuedCredential:
    """Give a certificate its credential and status entry, as issuance does (flushed)."""
    status_list, index = allocate_entry()
    key, _private = keys.current_key()
    issued = IssuedCredential(
        certificate_id=certificate.id,
        status_list_id=status_list.id,
        status_index=index,
        document=sign(credential_document(status_list.id, index)),
        key_id=key.id,
    )
    db.session.add(issued)
    db.session.flush()
    return issued


def pdf_carrying(content: bytes | None, name: str = "credential.json") -> bytes:
    """Return a one-page PDF carrying ``content`` as an associated file (none when None)."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    if content is not None:
        spec = pikepdf.AttachedFileSpec(
            pdf, content, mime_type="application/json", relationship=pikepdf.Name.Data
        )
        pdf.attachments[name] = spec
        pdf.Root.AF = pikepdf.Array([pdf.Root.Names.EmbeddedFiles.Names[1]])
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def replace_attachment(data: bytes, content: bytes, name: str = "credential.json") -> bytes:
    """Return a copy of a PDF whose embedded ``name`` holds ``content`` instead (rewritten)."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        del pdf.attachments[name]
        spec = pikepdf.AttachedFileSpec(
            pdf, content, mime_type="application/json", relationship=pikepdf.Name.Data
        )
        pdf.attachments[name] = spec
        pdf.Root.AF = pikepdf.Array([spec.obj])
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def issued_for_real(world) -> Certificate:
    """Award a new learner and issue their certificate end to end (PDF, credential; committed)."""
    from lms.certificates import decisions, issuing
    from lms.certificates.models import DecisionOutcome

    learner = world.eligible_learner(display_name="Inès Réelle", email=LEARNER_EMAIL)
    decisions.record_decision(
        world.cohort, learner, outcome=DecisionOutcome.AWARDED, reason="", decided_by=world.admin
    )
    certificate = issuing.issue_certificate(world.cohort, learner, issued_by=world.admin)
    db.session.commit()
    return certificate
