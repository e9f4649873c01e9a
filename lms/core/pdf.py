"""Render HTML of a design folder to PDF/A-3a, locked down (SECURITY.md G27).

The engine every PDF of the application goes through (certificates, the jury's minutes,
attendance sheets); the designs live in the top-level ``certificates/`` folder (templates,
stylesheets, wording, fonts, logo and seal; see its README.md):

- the Jinja environment is sandboxed, autoescapes, fails on undefined names, loads templates
  from ``certificates/`` only, and receives plain values (strings, numbers, lists, dicts) built
  by each document's context, never ORM objects;
- WeasyPrint fetches through ``DesignAssetFetcher``, which serves the files under
  ``certificates/`` and the QR code's PNG ``data:`` URL, and refuses every other URL (``file:``
  elsewhere, ``..``, symlinks leading out, ``http(s):``, other ``data:``, …); a refused URL
  stops the rendering instead of leaving a hole;
- WeasyPrint is imported inside ``html_to_pdf`` only (its import costs ≈ 0.6 s and ≈ 48 MB).

This module knows no domain: what a document says, and which files decide its bytes, belong to
the domain that renders it.
"""

from __future__ import annotations

import base64
import binascii
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

# The design folder: templates, stylesheets, wording, fonts and images of every PDF.
DESIGN_FOLDER = Path(__file__).resolve().parents[2] / "certificates"
PDF_VARIANT = "pdf/a-3a"
# Files the design may use, by suffix; anything else under certificates/ is refused too.
ASSET_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
}
# Files that describe the design without changing what it renders.
NOT_RENDERED = {"README.md"}
# The one kind of data: URL the templates use: a QR code, a PNG made by segno (a PNG is drawn
# ≈ 10 ms faster than the same code as an SVG path). Nothing else may come inline.
QR_DATA_PREFIX = "data:image/png;base64,"
QR_DATA_LIMIT = 16 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class RendererUnavailable(RuntimeError):
    """WeasyPrint cannot load here: the system lacks Pango (see the README's system packages)."""


def renderer_problem() -> str | None:
    """Return why PDFs cannot be rendered on this machine, or None when they can."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:  # OSError: a system library (Pango) is missing
        return f"WeasyPrint cannot load ({error}); install Pango: see the README"
    return None


class AssetRefused(ValueError):
    """A URL a design may not fetch."""


def resolve_asset(url: str, folder: Path = DESIGN_FOLDER) -> tuple[Path, str]:
    """Return the design file a ``file:`` URL names and its media type, or refuse the URL."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
        raise AssetRefused(f"only the design files may be fetched, not {url!r}")
    raw_path = unquote(parts.path)
    if ".." in PurePosixPath(raw_path).parts or "\x00" in raw_path:
        raise AssetRefused(f"no parent references in design assets: {url!r}")
    root = folder.resolve()
    try:
        # Resolving follows symbolic links, so one leading out of the folder is caught below.
        path = Path(raw_path).resolve(strict=True)
    except (OSError, RuntimeError) as error:
        raise AssetRefused(f"no such design asset: {url!r}") from error
    if not path.is_relative_to(root) or not path.is_file():
        raise AssetRefused(f"not a file of the design: {url!r}")
    media_type = ASSET_TYPES.get(path.suffix.lower())
    if media_type is None or path.name in NOT_RENDERED:
        raise AssetRefused(f"not a kind of file the design uses: {url!r}")
    return path, media_type


def decode_qr_data_url(url: str) -> bytes:
    """Return the PNG of a QR code data URL, or refuse any other ``data:`` URL."""
    if not url.startswith(QR_DATA_PREFIX) or len(url) > QR_DATA_LIMIT:
        raise AssetRefused(f"only the QR code's PNG may come as a data: URL, not {url[:40]!r}")
    try:
        png = base64.b64decode(url.removeprefix(QR_DATA_PREFIX), validate=True)
    except binascii.Error as error:
        raise AssetRefused("the QR code's data: URL is not valid base64") from error
    if not png.startswith(PNG_SIGNATURE):
        raise AssetRefused("the QR code's data: URL is not a PNG")
    return png


@cache
def environment() -> SandboxedEnvironment:
    """Return the sandboxed Jinja environment of the templates of ``certificates/``."""
    return SandboxedEnvironment(
        loader=FileSystemLoader(DESIGN_FOLDER),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _fetcher_class() -> type:
    # Built on first use: the base class lives in WeasyPrint, which is imported lazily.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class DesignAssetFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
        """Serve the files of ``certificates/`` and refuse every other URL."""

        def __init__(self) -> None:
            # A refused or missing asset stops the rendering: no PDF with a hole in it.
            super().__init__(fail_on_errors=True)

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                body, media_type = decode_qr_data_url(url), "image/png"
            else:
                path, media_type = resolve_asset(url)
                body = path.read_bytes()
            return URLFetcherResponse(url, body=body, headers={"Content-Type": media_type})

    return DesignAssetFetcher


def asset_fetcher() -> Any:
    """Return a new URL fetcher that serves only the design files."""
    return _fetcher_class()()


@dataclass
class _Renderer:
    """What WeasyPrint may reuse from one PDF to the next in one thread, for one stylesheet."""

    font_config: Any
    fetcher: Any
    stylesheet: Any
    design_images: dict[Any, Any]
    pid: int


_local = threading.local()
# Renderers a forked process inherited from its parent: kept, never used. Collecting one would
# run its FontConfiguration's finaliser, which deletes the parent's font folder.
_inherited: list[_Renderer] = []


def _renderer(stylesheet_name: str) -> _Renderer:
    # One FontConfiguration per thread and stylesheet (certificate, minutes, sheet): each
    # new one costs ≈ 250 KB that is never freed, and reusing it saves reloading the fonts
    # (PERFORMANCE.md). Pango's font map is not shared between threads, hence thread-local
    # rather than process-wide. The stylesheet is parsed (and its fonts registered) once with it.
    # A forked process (a batch's pool) builds its own: Pango and fontconfig state is not
    # shared across a fork.
    renderers = getattr(_local, "renderers", None)
    if renderers is None:
        renderers = _local.renderers = {}
    renderer = renderers.get(stylesheet_name)
    if renderer is not None and renderer.pid != os.getpid():
        _inherited.append(renderer)
        renderer = None
    if renderer is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config, fetcher = FontConfiguration(), asset_fetcher()
        stylesheet = CSS(
            url=base_url() + stylesheet_name, url_fetcher=fetcher, font_config=font_config
        )
        renderer = _Renderer(font_config, fetcher, stylesheet, {}, os.getpid())
        renderers[stylesheet_name] = renderer
    return renderer


@dataclass(frozen=True)
class Attachment:
    """A file a PDF/A-3 document carries as an associated file (the catalog's ``/AF``).

    ``moment`` is both its creation and modification date, so that the same attachment always
    gives the same bytes; the media type follows the name's extension (``.json``:
    ``application/json``).
    """

    name: str
    text: str
    description: str
    moment: datetime
    relationship: str = "Data"


def _weasyprint_attachments(attachments: Sequence[Attachment]) -> list[Any]:
    from weasyprint import Attachment as WeasyAttachment

    return [
        WeasyAttachment(
            string=attachment.text,
            name=attachment.name,
            description=attachment.description,
            created=attachment.moment,
            modified=attachment.moment,
            relationship=attachment.relationship,
        )
        for attachment in attachments
    ]


def _one_entry_per_file(document: Any, pdf: Any) -> None:
    """Keep each associated file once in the catalog's ``/AF``.

    WeasyPrint 70 lists an attachment there twice (from the names tree and from the file
    specification itself); one entry per file is what PDF/A-3 means.
    """
    entries = pdf.catalog.get("AF")
    if entries:
        pdf.catalog["AF"] = type(entries)(dict.fromkeys(entries))


def base_url() -> str:
    """Return the URL relative asset names of the template resolve against."""
    return DESIGN_FOLDER.as_uri() + "/"


def html_to_pdf(
    html_text: str, stylesheet_name: str, attachments: Sequence[Attachment] = ()
) -> bytes:
    """Return HTML of a template of ``certificates/`` as PDF/A-3a bytes, with its stylesheet.

    The certificate and the jury's minutes both come this way: same locked-down fetcher, same
    PDF/A variant, same reuse of fonts and design images within a thread. ``attachments`` are
    embedded as PDF/A-3 associated files (the certificate carries its signed credential); they
    come as text from the caller, never fetched.
    """
    if problem := renderer_problem():
        raise RendererUnavailable(problem)
    from weasyprint import HTML

    renderer = _renderer(stylesheet_name)
    html = HTML(string=html_text, base_url=base_url(), url_fetcher=renderer.fetcher)
    # WeasyPrint's image cache for this PDF, seeded with the design's images (logo, seal)
    # parsed once per thread; the QR code it adds is dropped with it, so memory stays flat.
    images = dict(renderer.design_images)
    pdf: bytes = html.write_pdf(
        stylesheets=[renderer.stylesheet],
        font_config=renderer.font_config,
        pdf_variant=PDF_VARIANT,
        cache=images,
        attachments=_weasyprint_attachments(attachments),
        finisher=_one_entry_per_file if attachments else None,
    )
    if not renderer.design_images:
        design = base_url()
        renderer.design_images = {
            key: image
            for key, image in images.items()
            if isinstance(key, str) and key.startswith(design) and image is not None
        }
    return pdf
