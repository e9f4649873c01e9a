"""The errors an assignment action raises; each message says why, in the user's language."""

from lms.core.transactions import DomainError


class AssignmentError(DomainError):
    """An assignment action is refused; the message says why, in the user's language."""


class ConcurrentSubmission(AssignmentError):
    """Another request recorded the same version number first: roll back and submit again.

    Submitting again finds that version: the same content is then recognised (no new version).
    """


class UploadTooLarge(AssignmentError):
    """A file is larger than the assignment allows (the page answers 413)."""


class AttemptsExhausted(AssignmentError):
    """The learner has used every attempt the assignment allows (the page answers 409)."""
