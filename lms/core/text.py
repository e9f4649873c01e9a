"""What free text typed by people may hold, since it reaches PDFs, e-mails and logs.

A name or a reason is printed on a certificate (PDF/A, whose XMP metadata is XML), written into
e-mails and logs, and shown beside other text. Some characters have no business there:

- control characters (C0, DEL, C1), which XML 1.0 forbids or discourages and which end lines in
  logs; multi-line text keeps its tabs and line ends;
- format characters, invisible but active: the bidirectional overrides, embeddings and
  isolates (U+202A–U+202E, U+2066–U+2069, the marks U+200E, U+200F, U+061C), which make
  « Zoé ‮fdp.exe » print as « Zoé exe.pdf », and the others (U+FEFF, soft hyphen, tags…). The
  zero-width joiner and non-joiner (U+200D, U+200C) stay: Persian, Indic names and emoji
  sequences need them to be spelled right, and they cannot reorder text;
- the line and paragraph separators (U+2028, U+2029), line ends in disguise;
- surrogates, which are not characters (and UTF-8 cannot encode alone);
- the 66 noncharacters (U+FDD0–U+FDEF and the last two code points of every plane, U+FFFE and
  U+FFFF among them), which XML 1.0 forbids.

Forms refuse such text with ``single_line_text`` or ``multiline_text`` (WTForms validators);
services, imports and commands ask ``text_problem``; the certificate renderer, which must be
safe whatever path the text came by, keeps only ``printable`` text.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from flask_babel import gettext as _
from wtforms.validators import ValidationError

# Invisible characters needed to spell words: they join or part letters, never reorder them.
KEPT_FORMAT_CHARACTERS = frozenset("\u200c\u200d")
LINE_CHARACTERS = frozenset("\t\n\r")
# Named in a message at most this many distinct characters; the rest is "…".
NAMED_AT_MOST = 3


def is_refused(char: str, *, multiline: bool = False) -> bool:
    """Say whether a character may not appear in text that reaches a PDF, an e-mail or a log."""
    if multiline and char in LINE_CHARACTERS:
        return False
    code = ord(char)
    if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:  # noncharacters
        return True
    category = unicodedata.category(char)
    if category == "Cf":
        return char not in KEPT_FORMAT_CHARACTERS
    return category in ("Cc", "Cs", "Zl", "Zp")


def refused_characters(text: str, *, multiline: bool = False) -> list[str]:
    """Return the distinct refused characters of the text, in the order they first appear."""
    return list(dict.fromkeys(char for char in text if is_refused(char, multiline=multiline)))


def describe_character(char: str) -> str:
    """Name a character for people: its code point and, when it has one, its Unicode name."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"


def refused_summary(text: str | None, *, multiline: bool = False) -> str | None:
    """Name the refused characters of the text ("U+202E RIGHT-TO-LEFT OVERRIDE, …"), or None."""
    found = refused_characters(text or "", multiline=multiline)
    if not found:
        return None
    named = ", ".join(describe_character(char) for char in found[:NAMED_AT_MOST])
    return named + ", …" if len(found) > NAMED_AT_MOST else named


def text_problem(text: str | None, *, multiline: bool = False) -> str | None:
    """Return why the text is refused (a translated sentence), or None when it is fine."""
    if (named := refused_summary(text, multiline=multiline)) is None:
        return None
    return _(
        "Remove the invisible or control characters from this text: %(characters)s.",
        characters=named,
    )


def single_line_text(form: Any, field: Any) -> None:
    """WTForms validator: refuse control, format and other characters that have no place here."""
    if problem := text_problem(field.data if isinstance(field.data, str) else None):
        raise ValidationError(problem)


def multiline_text(form: Any, field: Any) -> None:
    """WTForms validator: as ``single_line_text``, but tabs and line ends are kept."""
    if problem := text_problem(field.data if isinstance(field.data, str) else None, multiline=True):
        raise ValidationError(problem)


def printable(text: str) -> str:
    """Return the text with tabs and line ends as spaces and every other refused character gone.

    Whatever it holds, the result is valid in XML 1.0 and in a PDF string, and cannot reorder
    the text around it.
    """
    if not any(is_refused(char) for char in text):
        return text
    return "".join(
        " " if char in LINE_CHARACTERS else "" if is_refused(char) else char for char in text
    )
