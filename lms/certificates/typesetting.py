"""The certificate's texts made safe and set for print: apostrophes, name size, direction.

Whatever path a text came by (a form, an import, the command line, the database), what the
certificate prints never carries what XML 1.0 forbids, nor a control that would reorder it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import fields, is_dataclass, replace
from enum import Enum
from typing import Any

from lms.core.text import printable

# The learner's name is set smaller as it grows, so that a name of up to 120 characters (the
# longest an account may have) keeps to three lines at most and page 1 keeps its layout. Its
# length is measured in widths of a Latin letter: a CJK ideograph counts for two.
NAME_SIZES = ((36, ""), (72, "long"))
LONGEST_NAME_SIZE = "longer"
# An apostrophe after a letter (« l'impact », « d'Argenson »), not a quotation mark.
APOSTROPHE = re.compile(r"(?<=\w)'")


def typeset(text: str) -> str:
    """Return the text made ``printable``, with the typewriter apostrophe set as ’.

    The wording uses ’; names and the titles of the path's definition often hold ', and one
    certificate shows one kind of apostrophe.
    """
    return APOSTROPHE.sub("\u2019", printable(text))


def printable_values(value: Any) -> Any:
    """Return the value with every string in it ``typeset``, whatever it nests."""
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return typeset(value)
    if isinstance(value, tuple):
        return tuple(printable_values(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: printable_values(getattr(value, field.name)) for field in fields(value)
        }
        return replace(value, **changes)
    return value


def name_size(name: str) -> str:
    """Return the size class of the learner's name on page 1 ("" for the largest)."""
    width = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in name)
    return next((size for limit, size in NAME_SIZES if width <= limit), LONGEST_NAME_SIZE)


def text_direction(text: str) -> str:
    """Return "rtl" when the text's first strong character is right-to-left, else "ltr"."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return "rtl"
        if direction == "L":
            return "ltr"
    return "ltr"
