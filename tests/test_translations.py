"""The French catalog is complete and compiled: no user-facing string falls back to English."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from lms import ROOT

TRANSLATIONS = ROOT / "lms" / "translations"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHODS = [
    ("lms/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]


def catalog(locale: str):
    """Read the PO catalog of ``locale``."""
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file, locale=locale)


def not_hidden(folder: str) -> bool:
    """Walk every folder but hidden ones: Babel skips ``_partials`` and its strings otherwise."""
    return not Path(folder).name.startswith(".")


def source_msgids() -> set[str]:
    """Extract every translatable message from the code and templates, as pybabel does."""
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS, directory_filter=not_hidden
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_has_a_french_translation():
    french = catalog("fr")
    missing = sorted(
        msgid
        for msgid in source_msgids()
        if msgid not in french or not french[msgid].string or french[msgid].fuzzy
    )
    assert missing == [], f"{len(missing)} messages lack a French translation: {missing[:20]}"


def test_compiled_catalog_matches_the_po_file():
    expected = BytesIO()
    write_mo(expected, catalog("fr"))
    compiled = (TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.mo").read_bytes()
    assert compiled == expected.getvalue(), "run: pybabel compile -d lms/translations"


def test_every_plural_message_has_the_headers_number_of_forms():
    french = catalog("fr")
    assert french.num_plurals == 2, "French has two forms: nplurals=2; plural=(n > 1)"
    assert french.plural_expr == "(n > 1)"
    wrong = [
        message.id[0]
        for message in french
        if message.pluralizable and len(message.string) != french.num_plurals
    ]
    assert wrong == []


def test_french_plurals_start_at_two():
    translations = Translations.load(TRANSLATIONS, ["fr"])
    assert translations.ngettext("%(num)d certificate", "%(num)d certificates", 1) == (
        "%(num)d certificat"
    )
    for count in (0, 1):
        assert "certificats" not in translations.ngettext("%(num)d certificate", "", count)
    assert translations.ngettext("%(num)d certificate", "", 2) == "%(num)d certificats"


def test_french_messages_use_the_typographic_apostrophe_only():
    straight = [message.id for message in catalog("fr") if "'" in "".join(strings(message))]
    assert straight == [], "write ’ (U+2019), not ', in French messages"


def strings(message) -> list[str]:
    """Return the translations of a message (one, or each plural form)."""
    return list(message.string) if isinstance(message.string, tuple) else [message.string]
