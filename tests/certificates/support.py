"""Certificates of the security tests' world (tests/security/world.py), made without a PDF."""

from __future__ import annotations

from tests.factories import CertificateFactory


def security_world_certificates(bien_vivre, other, users) -> dict:
    """Return learner A's path certificate and Otto's (the other cohort's learner)."""
    return {
        # With a stored PDF, so that its downloads answer (any bytes: nothing renders here).
        "certificate": CertificateFactory(
            learner=users["learner_a"], cohort=bien_vivre.cohort, pdf=b"%PDF-1.7\n%%EOF\n"
        ),
        "other_certificate": CertificateFactory(
            learner=users["other_learner"], cohort=other.cohort
        ),
    }
