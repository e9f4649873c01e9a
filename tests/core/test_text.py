"""What free text may hold: the characters refused everywhere text reaches a PDF or a log."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from lms.core.text import is_refused, printable, refused_summary, text_problem

REFUSED = {
    "NUL": "\x00",
    "escape": "\x1b",
    "DEL": "\x7f",
    "C1 control": "\x85",
    "tab in one line": "\t",
    "line feed in one line": "\n",
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "pop directional formatting": "\u202c",
    "right-to-left isolate": "\u2067",
    "pop directional isolate": "\u2069",
    "right-to-left mark": "\u200f",
    "Arabic letter mark": "\u061c",
    "zero width space": "\u200b",
    "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "tag character": "\U000e0041",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "lone surrogate": "\ud800",
    "U+FFFE": "\ufffe",
    "U+FFFF": "\uffff",
    "U+FDD0": "\ufdd0",
    "last of plane 16": "\U0010ffff",
    "last of plane 1": "\U0001fffe",
}
KEPT = {
    "accented Latin": "Zoé Lefèvre-Nguyễn",
    "zero width joiner (emoji sequence)": "👩\u200d🌾",
    "zero width non-joiner (Persian)": "می\u200cخواهم",
    "Arabic": "محمد الفاسي",
    "CJK": "山田花子",
    "no-break spaces": "M.\u00a0Dupont\u202f!",
    "private use": "\ue000",
}


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_refused_characters(char):
    assert is_refused(char)
    assert text_problem(f"Zoé {char}x") is not None


@pytest.mark.parametrize("text", KEPT.values(), ids=KEPT.keys())
def test_kept_text(text):
    assert text_problem(text) is None
    assert printable(text) == text


def test_multiline_text_keeps_its_tabs_and_line_ends_only():
    assert text_problem("Premier paragraphe.\r\n\r\n\tSecond.", multiline=True) is None
    assert text_problem("Ligne\u2028suivante", multiline=True) is not None
    assert text_problem("a\x00b", multiline=True) is not None


def test_the_message_names_the_characters_to_remove():
    assert refused_summary("Zoé \u202eevil.pdf\uffff") == ("U+202E RIGHT-TO-LEFT OVERRIDE, U+FFFF")
    assert refused_summary("\x01\x02\x03\x04") == "U+0001, U+0002, U+0003, …"
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in text_problem("\u202e")


def test_printable_text_is_valid_xml_and_reads_in_order():
    hostile = "Zoé\t\u202eevil.pdf\u202c" + "".join(REFUSED.values())
    clean = printable(hostile)
    assert clean.startswith("Zoé evil.pdf")
    assert not any(is_refused(char) for char in clean)
    element = ET.fromstring(f"<name>{clean}</name>")  # noqa: S314  our own string
    assert element.text == clean
    clean.encode("utf-8")  # no surrogate left
