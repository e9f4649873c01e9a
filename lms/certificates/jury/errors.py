"""The jury's refusals: a ``JuryError`` says why; a ``JuryConflict`` is answered 409."""

from lms.certificates.errors import CertificateError


class JuryError(CertificateError):
    """A jury step cannot be done; the message says why, to the person acting."""


class JuryConflict(JuryError):
    """The jury or the vote changed since it was read (closed, or voted meanwhile): 409."""
