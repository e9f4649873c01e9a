"""Check an uploaded file before it is stored: its name, its extension and its content.

Domain-free: the caller says which extensions it takes (an assignment's list, the attendance
supporting files' PDF and images) and keeps its own limits of size and number. An extension is
accepted only when the caller allows it AND the bytes are what the extension claims (SECURITY.md
F24): a PDF starts with ``%PDF-``, a PNG or JPEG with its signature, an OpenDocument file is a ZIP
whose first entry ``mimetype`` names the right type, an Office Open XML file a ZIP with
``[Content_Types].xml`` and its part folder, a text file is UTF-8 without NUL. Whatever the
extension, content that a browser could run or render as a page (HTML, SVG, XML, executables,
scripts) is refused. Extensions the server cannot check are refused too, even when a path
definition allows them.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

MAX_NAME_LENGTH = 200
# Content a browser may render or run, or an executable: refused whatever the extension says.
MARKUP_STARTS = (
    b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe",
)  # fmt: skip
EXECUTABLE_STARTS = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
DANGEROUS_ANYWHERE = re.compile(rb"<\s*(script|svg|html|iframe)\b", re.IGNORECASE)
ODF_TYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
    "odp": b"application/vnd.oasis.opendocument.presentation",
}
OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain",
    "md": "text/plain",
    "odt": ODF_TYPES["odt"].decode(),
    "ods": ODF_TYPES["ods"].decode(),
    "odp": ODF_TYPES["odp"].decode(),
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


class UploadRefused(ValueError):
    """The file cannot be accepted; the message says why, in the user's language."""


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check: its cleaned name, extension and content type."""

    name: str
    extension: str
    content_type: str


def clean_name(raw: str) -> str:
    """Return the file's own name without any folder part; refuse control characters."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if any(unicodedata.category(character)[0] == "C" for character in name):
        raise UploadRefused(_("The file name contains invalid characters."))
    if name in ("", ".", ".."):
        raise UploadRefused(_("The file has no name."))
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        name = stem[: MAX_NAME_LENGTH - len(extension) - 1] + dot + extension
    return name


def check_file(raw_name: str, data: bytes, allowed: list[str]) -> CheckedFile:
    """Return what the file is when its name, extension and bytes are acceptable, else refuse."""
    name = clean_name(raw_name)
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot and stem else ""
    usable = [ext for ext in allowed if ext in CHECKS]
    if extension not in usable:
        raise UploadRefused(
            _(
                "“%(name)s”: this kind of file is not accepted (accepted: %(extensions)s).",
                name=name,
                extensions=", ".join(usable) or "—",
            )
        )
    if not data:
        raise UploadRefused(_("“%(name)s” is empty.", name=name))
    if _looks_dangerous(data) or not CHECKS[extension](data, extension):
        raise UploadRefused(
            _("“%(name)s” is not a real %(kind)s file.", name=name, kind=extension.upper())
        )
    return CheckedFile(name, extension, CONTENT_TYPES[extension])


def _looks_dangerous(data: bytes) -> bool:
    """Tell whether the bytes start like a page, an image a browser runs, or a program."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.lower().startswith(MARKUP_STARTS) or data.startswith(EXECUTABLE_STARTS)


def _is_pdf(data: bytes, extension: str) -> bool:
    return data.startswith(b"%PDF-")


def _is_png(data: bytes, extension: str) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n")


def _is_jpeg(data: bytes, extension: str) -> bool:
    return data.startswith(b"\xff\xd8\xff")


def _is_text(data: bytes, extension: str) -> bool:
    """Plain UTF-8 text, without NUL and without markup a browser would run."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\0" not in text and not DANGEROUS_ANYWHERE.search(data)


def _zip_entries(data: bytes) -> zipfile.ZipFile | None:
    """Open the bytes as a ZIP archive (only its directory is read), or return None."""
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _is_odf(data: bytes, extension: str) -> bool:
    """An OpenDocument file: first entry ``mimetype``, stored, naming the right type."""
    archive = _zip_entries(data)
    if archive is None or not archive.infolist():
        return False
    first = archive.infolist()[0]
    if first.filename != "mimetype" or first.file_size > 100:
        return False
    try:
        return archive.read(first).strip() == ODF_TYPES[extension]
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError):
        return False


def _is_ooxml(data: bytes, extension: str) -> bool:
    """An Office Open XML file: ``[Content_Types].xml`` and the document's part folder."""
    archive = _zip_entries(data)
    if archive is None:
        return False
    names = archive.namelist()
    prefix = OOXML_PARTS[extension]
    return "[Content_Types].xml" in names and any(name.startswith(prefix) for name in names)


CHECKS: dict[str, Callable[[bytes, str], bool]] = {
    "pdf": _is_pdf,
    "png": _is_png,
    "jpg": _is_jpeg,
    "jpeg": _is_jpeg,
    "txt": _is_text,
    "md": _is_text,
    **dict.fromkeys(ODF_TYPES, _is_odf),
    **dict.fromkeys(OOXML_PARTS, _is_ooxml),
}
