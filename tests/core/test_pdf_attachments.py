"""Reading one embedded file out of a PDF anyone sent: where PDF/A-3 puts it, within bounds."""

from __future__ import annotations

import contextlib
import io

import pikepdf
import pytest

from lms.core.pdf_attachments import (
    AttachmentTooLarge,
    AttachmentUnreadable,
    embedded_file,
)

NAME = "credential.json"


def pdf_with(content: bytes, *, name: str = NAME, af: bool = True, tree: bool = True) -> bytes:
    """Return a PDF carrying ``content`` in the catalog's /AF, its name tree, or both."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    spec = pikepdf.AttachedFileSpec(pdf, content, mime_type="application/json")
    pdf.attachments[name] = spec
    spec_object = pdf.Root.Names.EmbeddedFiles.Names[1]
    if af:
        pdf.Root.AF = pikepdf.Array([spec_object])
    if not tree:
        del pdf.Root.Names
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_the_file_is_found_in_the_associated_files_alone():
    assert embedded_file(pdf_with(b"{}", tree=False), NAME, 1024) == b"{}"


def test_the_file_is_found_in_the_name_tree_alone():
    assert embedded_file(pdf_with(b"[1]", af=False), NAME, 1024) == b"[1]"


def test_a_pdf_without_that_file_has_none():
    assert embedded_file(pdf_with(b"{}", name="notes.json"), NAME, 1024) is None
    blank = pikepdf.new()
    blank.add_blank_page()
    out = io.BytesIO()
    blank.save(out)
    assert embedded_file(out.getvalue(), NAME, 1024) is None


def test_a_file_larger_than_asked_is_refused():
    with pytest.raises(AttachmentTooLarge):
        embedded_file(pdf_with(b"x" * 2000), NAME, 1024)


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n", b"%PDF-1.7\n" + b"\xff" * 500, b"<html>"])
def test_an_unreadable_pdf_says_so(data):
    with pytest.raises(AttachmentUnreadable):
        embedded_file(data, NAME, 1024)


def test_a_truncated_pdf_says_so_or_finds_nothing():
    data = pdf_with(b"{}")
    for cut in range(0, len(data), max(1, len(data) // 40)):
        with contextlib.suppress(AttachmentUnreadable):  # any other exception fails
            assert embedded_file(data[:cut], NAME, 1024) in (None, b"{}")
