"""Certificates issued for real, with their credentials, for the badge tests."""

from __future__ import annotations

from lms.certificates.credentials.issuance import credential_of, verify_credential
from lms.certificates.issuing import issue_certificate
from lms.extensions import db


def issued_with_credential(world, block=None, **user_fields):
    """Issue an eligible, awarded learner's certificate (or block attestation); commit it."""
    learner = world.eligible_learner(**user_fields)
    world.award(learner)
    certificate = issue_certificate(world.cohort, learner, issued_by=world.admin, block=block)
    db.session.commit()
    issued = credential_of(certificate.id)
    assert issued is not None
    return certificate, issued


def check(credential):
    """Check a credential's proof with the issuer's published keys."""
    return verify_credential(credential)
