"""Read one embedded file (a PDF/A-3 associated file) out of a PDF that anyone may have sent.

The verification page extracts the credential a certificate PDF carries. The PDF comes from
the world, so reading it is bounded at every step: pyHanko's reader (the signing library, not
the development-only pikepdf) with tight decoding limits, a cap on the embedded file's encoded
and decoded sizes, a cap on how many entries are looked at, and every failure of the parser
turned into ``AttachmentUnreadable`` (a truncated, garbled or hostile file is an answer, not a
crash).

The file is looked for where PDF/A-3 puts it, the catalog's ``/AF`` (associated files), then in
the ``/Names /EmbeddedFiles`` name tree.

This module knows no domain.
"""

from __future__ import annotations

import io
from typing import Any

MiB = 1024 * 1024
# Entries of /AF and of the name tree looked at, at most: a certificate carries one or two.
MAX_ENTRIES = 64
MAX_TREE_DEPTH = 8


class AttachmentUnreadable(ValueError):
    """The PDF, or its embedded file, cannot be read (damaged, hostile or too large)."""


class AttachmentTooLarge(AttachmentUnreadable):
    """The embedded file is larger than the caller accepts."""


def _limits() -> Any:
    from pyhanko.pdf_utils.decode_limits import (
        DecodeLimits,
        DocumentDecodeBudget,
        StreamDecodeLimits,
    )

    return DecodeLimits(
        per_stream=StreamDecodeLimits(max_ratio=1100, ratio_floor=MiB, max_output_size=16 * MiB),
        document_budget=DocumentDecodeBudget(base_allowance=64 * MiB, max_ratio=20),
    )


def _text(value: Any) -> str | None:
    """Return a PDF string or name as text (None for anything else)."""
    from pyhanko.pdf_utils import generic

    if isinstance(value, generic.NameObject):
        return str(value)[1:]
    if isinstance(value, generic.ByteStringObject):
        return value.decode("latin-1")
    return str(value) if isinstance(value, str) else None


def _file_name(spec: Any) -> str | None:
    for key in ("/UF", "/F"):
        name = _text(spec.get(key)) if hasattr(spec, "get") else None
        if name is not None:
            return name
    return None


def _content(spec: Any, max_bytes: int) -> bytes:
    """Return the decoded content of a file specification's embedded stream."""
    from pyhanko.pdf_utils import generic

    embedded = spec.get("/EF")
    embedded = embedded.get_object() if embedded is not None else None
    stream = embedded.get("/F") if isinstance(embedded, generic.DictionaryObject) else None
    stream = stream.get_object() if stream is not None else None
    if not isinstance(stream, generic.StreamObject):
        raise AttachmentUnreadable("the file specification has no embedded stream")
    from pyhanko.pdf_utils.misc import PdfDecodeLimitError

    if len(stream.encoded_data) > max_bytes:
        raise AttachmentTooLarge(f"the embedded file is larger than {max_bytes} bytes")
    try:
        data = stream.data
    except PdfDecodeLimitError as error:  # a compression bomb
        raise AttachmentTooLarge("the embedded file decompresses past every limit") from error
    if len(data) > max_bytes:
        raise AttachmentTooLarge(f"the embedded file is larger than {max_bytes} bytes")
    return data


def _associated_files(root: Any) -> list[Any]:
    from pyhanko.pdf_utils import generic

    files = root.get("/AF")
    files = files.get_object() if files is not None else None
    if not isinstance(files, generic.ArrayObject):
        return []
    return [entry.get_object() for entry in list(files)[:MAX_ENTRIES]]


def _name_tree(node: Any, depth: int = 0) -> list[Any]:
    """Return the values of a name tree (at most ``MAX_ENTRIES``, at most 8 levels deep)."""
    from pyhanko.pdf_utils import generic

    if depth > MAX_TREE_DEPTH or not isinstance(node, generic.DictionaryObject):
        return []
    values: list[Any] = []
    names = node.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, generic.ArrayObject):
        values.extend(value.get_object() for value in list(names)[1::2][:MAX_ENTRIES])
    kids = node.get("/Kids")
    kids = kids.get_object() if kids is not None else None
    if isinstance(kids, generic.ArrayObject):
        for kid in list(kids)[:MAX_ENTRIES]:
            if len(values) >= MAX_ENTRIES:
                break
            values.extend(_name_tree(kid.get_object(), depth + 1))
    return values[:MAX_ENTRIES]


def _embedded_files(root: Any) -> list[Any]:
    from pyhanko.pdf_utils import generic

    names = root.get("/Names")
    names = names.get_object() if names is not None else None
    if not isinstance(names, generic.DictionaryObject):
        return []
    tree = names.get("/EmbeddedFiles")
    return _name_tree(tree.get_object()) if tree is not None else []


def embedded_file(data: bytes, name: str, max_bytes: int) -> bytes | None:
    """Return the content of the PDF's embedded file called ``name``; None when it has none.

    Raises ``AttachmentUnreadable`` when the PDF cannot be read, and ``AttachmentTooLarge``
    when the file is larger than ``max_bytes``.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False, decode_limits=_limits())
        root = reader.root
        for spec in _associated_files(root) + _embedded_files(root):
            if isinstance(spec, generic.DictionaryObject) and _file_name(spec) == name:
                return _content(spec, max_bytes)
    except AttachmentUnreadable:
        raise
    except Exception as error:  # a parser fed by anyone: every failure is data
        raise AttachmentUnreadable(f"the PDF cannot be read ({type(error).__name__})") from error
    return None
