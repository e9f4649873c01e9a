"""The sheet's refusals: a ``SheetError`` says why; a ``SheetConflict`` is answered 409."""

from lms.core.transactions import DomainError


class SheetError(DomainError):
    """A sheet step cannot be done; the message says why, to the person acting."""


class SheetConflict(SheetError):
    """The sheet changed since it was read (closed meanwhile, closed twice at once): 409."""


class WrongCode(SheetError):
    """The code typed is not the sheet's current or previous code (counted by the limiter)."""
