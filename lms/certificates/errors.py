"""The error every certification step raises when it cannot be done."""


class CertificateError(Exception):
    """A certification step cannot be done; the message says why, to the person acting."""
