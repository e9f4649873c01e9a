"""Certificates of the security tests' world (tests/security/world.py), made without a PDF."""

from __future__ import annotations

from lms.certificates.credentials import keys, status
from lms.certificates.credentials.models import IssuedCredential
from lms.extensions import db
from tests.factories import CertificateFactory


def security_world_certificates(bien_vivre, other, users) -> dict:
    """Return learner A's path certificate (with a credential) and Otto's (the other cohort's
    learner), the key that signed and the revocation list."""
    certificate = CertificateFactory(
        # With a stored PDF, so that its downloads answer (any bytes: nothing renders here).
        learner=users["learner_a"],
        cohort=bien_vivre.cohort,
        pdf=b"%PDF-1.7\n%%EOF\n",
    )
    key, _ = keys.current_key()
    status_list, index = status.allocate_entry()
    # Any JSON does: the routes serve the credential as stored (real ones are signed).
    document = {"id": f"urn:example:credential:{certificate.code}", "name": "Certificat"}
    issued = IssuedCredential(
        certificate=certificate,
        status_list=status_list,
        status_index=index,
        document=document,
        key=key,
    )
    db.session.add(issued)
    db.session.flush()
    return {
        "certificate": certificate,
        "other_certificate": CertificateFactory(
            learner=users["other_learner"], cohort=other.cohort
        ),
        "credential_key": key,
        "status_list": status_list,
    }
