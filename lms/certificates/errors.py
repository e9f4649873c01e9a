"""The error every certification step raises when it cannot be done."""

from lms.core.transactions import DomainError


class CertificateError(DomainError):
    """A certification step cannot be done; the message says why, to the person acting."""
