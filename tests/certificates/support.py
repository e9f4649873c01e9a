"""Certificates of the security tests' world (tests/security/world.py), made without a PDF."""

from __future__ import annotations

from tests.factories import CertificateFactory


def security_world_certificates(bien_vivre, other, users) -> dict:
    """Return learner A's path certificate and Otto's (the other cohort's learner).

    Learner A's carries a credential, whose revocation list is the world's ``status_list``.
    """
    from tests.certificates.credentials.support import issue_credential

    certificate = CertificateFactory(
        # With a stored PDF, so that its downloads answer (any bytes: nothing renders here).
        learner=users["learner_a"],
        cohort=bien_vivre.cohort,
        pdf=b"%PDF-1.7\n%%EOF\n",
    )
    return {
        "certificate": certificate,
        "status_list": issue_credential(certificate).status_list,
        "other_certificate": CertificateFactory(
            learner=users["other_learner"], cohort=other.cohort
        ),
    }
