"""Render a ``CertificateDocument`` to HTML and to a PDF/A-3a file, locked down.

The design lives in the top-level ``certificates/`` folder (template, stylesheet, wording, fonts,
logo and seal; see its README.md). Rendering follows SECURITY.md G27:

- the Jinja environment is sandboxed, autoescapes, fails on undefined names, loads templates
  from ``certificates/`` only, and receives plain values (strings, numbers, lists, dicts) built
  here from the frozen document, never ORM objects;
- WeasyPrint fetches through ``DesignAssetFetcher``, which serves the files under
  ``certificates/`` and the QR code's PNG ``data:`` URL, and refuses every other URL (``file:``
  elsewhere, ``..``, symlinks leading out, ``http(s):``, other ``data:``, …); a refused URL
  stops the rendering instead of leaving a hole;
- WeasyPrint is imported inside ``render_pdf`` only (its import costs ≈ 0.6 s and ≈ 48 MB).

The same document always renders the same bytes under the same ``template_version()``: the PDF's
dates are the issue date, its identifier is a hash of its content and font subsets are named
after the font, never after time or chance. Issuance relies on this to rebuild a lost PDF that
still matches its recorded SHA-256.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import threading
import tomllib
import unicodedata
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date
from enum import Enum
from functools import cache
from importlib.metadata import version as distribution_version
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import segno
from babel.dates import format_date
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from lms.certificates.document import CertificateDocument
from lms.core.text import printable

DESIGN_FOLDER = Path(__file__).resolve().parents[2] / "certificates"
TEMPLATE_NAME = "certificate.html"
STYLESHEET_NAME = "certificate.css"
WORDING_NAME = "wording.toml"
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
# The one kind of data: URL the template uses: the QR code, a PNG made by segno (a PNG is drawn
# ≈ 10 ms faster than the same code as an SVG path). Nothing else may come inline.
QR_DATA_PREFIX = "data:image/png;base64,"
QR_DATA_LIMIT = 16 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The learner's name is set smaller as it grows, so that a name of up to 120 characters (the
# longest an account may have) keeps to three lines at most and page 1 keeps its layout. Its
# length is measured in widths of a Latin letter: a CJK ideograph counts for two.
NAME_SIZES = ((36, ""), (72, "long"))
LONGEST_NAME_SIZE = "longer"
# An apostrophe after a letter (« l'impact », « d'Argenson »), not a quotation mark.
APOSTROPHE = re.compile(r"(?<=\w)'")


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
    """A URL the certificate design may not fetch."""


def resolve_asset(url: str, folder: Path = DESIGN_FOLDER) -> tuple[Path, str]:
    """Return the design file a ``file:`` URL names and its media type, or refuse the URL."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
        raise AssetRefused(f"only the certificate design files may be fetched, not {url!r}")
    raw_path = unquote(parts.path)
    if ".." in PurePosixPath(raw_path).parts or "\x00" in raw_path:
        raise AssetRefused(f"no parent references in certificate assets: {url!r}")
    root = folder.resolve()
    try:
        # Resolving follows symbolic links, so one leading out of the folder is caught below.
        path = Path(raw_path).resolve(strict=True)
    except (OSError, RuntimeError) as error:
        raise AssetRefused(f"no such certificate asset: {url!r}") from error
    if not path.is_relative_to(root) or not path.is_file():
        raise AssetRefused(f"not a file of the certificate design: {url!r}")
    media_type = ASSET_TYPES.get(path.suffix.lower())
    if media_type is None or path.name in NOT_RENDERED:
        raise AssetRefused(f"not a kind of file the certificate design uses: {url!r}")
    return path, media_type


@cache
def template_version() -> str:
    """Return a short SHA-256 of everything that decides the bytes of a certificate PDF.

    It covers every design file (template, stylesheet, wording, fonts, images), this module and
    the versions of WeasyPrint and pydyf, so two renderings under one version give the same
    bytes, and any change of design or renderer gives a new version.
    """
    digest = hashlib.sha256()
    files = sorted(
        path
        for path in DESIGN_FOLDER.rglob("*")
        if path.is_file() and path.name not in NOT_RENDERED
    )
    named = [(f"certificates/{path.relative_to(DESIGN_FOLDER).as_posix()}", path) for path in files]
    for name, path in [*named, ("lms/certificates/rendering.py", Path(__file__))]:
        content = path.read_bytes()
        digest.update(f"{name}\n{len(content)}\n".encode())
        digest.update(content)
    for distribution in ("weasyprint", "pydyf"):
        digest.update(f"{distribution} {distribution_version(distribution)}\n".encode())
    return digest.hexdigest()[:16]


# Read once at import (≈ 2 MB of fonts hashed, a few ms); this module is itself imported lazily.
TEMPLATE_VERSION = template_version()


@cache
def _wordings() -> dict[str, dict[str, str]]:
    with (DESIGN_FOLDER / WORDING_NAME).open("rb") as file:
        return tomllib.load(file)


def wording(language: str) -> dict[str, str]:
    """Return the certificate's sentences in one language, or refuse a language it lacks."""
    wordings = _wordings()
    if language not in wordings:
        known = ", ".join(sorted(wordings))
        raise ValueError(f"no certificate wording for language {language!r} (known: {known})")
    return wordings[language]


def _date(day: date, style: str, language: str) -> str:
    text = format_date(day, format=style, locale=language)
    # French writes the first day of a month as an ordinal: « le 1er juillet 2025 ».
    if language == "fr" and day.day == 1 and text.startswith("1 "):
        text = "1er" + text[1:]
    return text


def _period(start: date | None, end: date | None, language: str, words: dict[str, str]) -> str:
    if start and end:
        return words["from_to"].format(
            start=_date(start, "medium", language), end=_date(end, "medium", language)
        )
    if start:
        return words["from_only"].format(start=_date(start, "medium", language))
    if end:
        return words["until_only"].format(end=_date(end, "medium", language))
    return words["no_dates"]


def qr_code_data_url(url: str) -> str:
    """Return the QR code of the verification URL as a PNG data URL, one pixel per module."""
    code = segno.make(url, error="m", micro=False)
    return code.png_data_uri(scale=1, border=0)  # the quiet zone is the stylesheet's padding


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


def _competency_groups(document: CertificateDocument, words: dict[str, str]) -> list[dict]:
    titles = {block.code: block.title for block in document.blocks}
    groups: list[dict[str, Any]] = []
    for line in document.competencies:
        if not groups or groups[-1]["code"] != line.block_code:
            title = titles.get(line.block_code, "")
            groups.append({"code": line.block_code, "title": title, "competencies": []})
        summary = words["competency_summary"].format(
            label=line.level_label, level=line.level, required=line.required_level
        )
        groups[-1]["competencies"].append(
            {"code": line.code, "title": line.title, "summary": summary}
        )
    return groups


def _module_lines(document: CertificateDocument, words: dict[str, str]) -> list[dict]:
    return [
        {
            "code": module.code,
            "title": module.title,
            "summary": words["module_summary"].format(
                hours=module.hours,
                period=_period(module.opens_on, module.closes_on, document.language, words),
            ),
        }
        for module in document.modules
    ]


def typeset(text: str) -> str:
    """Return the text made ``printable``, with the typewriter apostrophe set as ’.

    The wording uses ’; names and the titles of the path's definition often hold ', and one
    certificate shows one kind of apostrophe.
    """
    return APOSTROPHE.sub("\u2019", printable(text))


def _printable_values(value: Any) -> Any:
    """Return the value with every string in it ``typeset``, whatever it nests."""
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return typeset(value)
    if isinstance(value, tuple):
        return tuple(_printable_values(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: _printable_values(getattr(value, field.name)) for field in fields(value)
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


def certificate_context(document: CertificateDocument) -> dict[str, Any]:
    """Return the plain values the template shows, with every sentence already worded.

    Every text of the document is first ``typeset``: whatever path a name came by (a form, an
    import, the command line, the database), the PDF and its XMP metadata never carry what
    XML 1.0 forbids, nor a control that would reorder the text.
    """
    # The URL is printable but never retouched: the QR code and the text must open the page.
    url = printable(document.verification_url)
    document = replace(_printable_values(document), verification_url=url)
    words = wording(document.language)
    kind = "block" if document.is_partial else "path"
    title = words[f"title_{kind}"].format(number=document.number)
    statement = words[f"completed_{kind}"].format(
        path=document.path_title,
        version=document.path_version,
        hours=document.total_hours,
        cohort=document.cohort_name,
    )
    return {
        "lang": document.language,
        "t": dict(words),
        "title": title,
        "description": f"{document.path_title} · {document.learner_name}",
        "issued_on": document.issued_on.isoformat(),
        "is_partial": document.is_partial,
        "organisation": document.organisation,
        "number_label": words["number"].format(number=document.number),
        "heading": words[f"heading_{kind}"],
        "subheading": words[f"subheading_{kind}"],
        "certifies": words["certifies"].format(organisation=document.organisation),
        "learner_name": document.learner_name,
        "name_size": name_size(document.learner_name),
        "name_direction": text_direction(document.learner_name),
        "statement": statement,
        "blocks": [{"code": block.code, "title": block.title} for block in document.blocks],
        "partial_note": words["partial_note"] if document.is_partial else "",
        "made_at": words["made_at"].format(
            place=document.place, date=_date(document.issued_on, "long", document.language)
        ),
        "signatory_name": document.signatory_name,
        "signatory_title": document.signatory_title,
        "verification_url": document.verification_url,
        "qr_src": qr_code_data_url(document.verification_url),
        "qr_alt": words["qr_title"].format(url=document.verification_url),
        "transcript_of": words["transcript_of"].format(
            learner=document.learner_name,
            path=document.path_title,
            version=document.path_version,
            cohort=document.cohort_name,
        ),
        "modules": _module_lines(document, words),
        "total_hours_label": words["total_hours"].format(hours=document.total_hours),
        "competency_groups": _competency_groups(document, words),
        "footer": words["footer"].format(title=title, learner=document.learner_name),
    }


@cache
def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(DESIGN_FOLDER),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(document: CertificateDocument) -> str:
    """Return the certificate as HTML whose relative URLs name files of ``certificates/``."""
    return _render_template(document, link_stylesheet=True)


def _render_template(document: CertificateDocument, *, link_stylesheet: bool) -> str:
    template = _environment().get_template(TEMPLATE_NAME)
    return template.render(certificate_context(document), link_stylesheet=link_stylesheet)


@cache
def _fetcher_class() -> type:
    # Built on first use: the base class lives in WeasyPrint, which is imported lazily.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class DesignAssetFetcher(URLFetcher):
        """Serve the files of ``certificates/`` and refuse every other URL."""

        def __init__(self) -> None:
            # A refused or missing asset stops the rendering: no PDF with a hole in it.
            super().__init__(fail_on_errors=True)

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                body, media_type = decode_qr_data_url(url), "image/png"
            else:
                path, media_type = resolve_asset(url)
                body = path.read_bytes()
            return URLFetcherResponse(url, body=body, headers={"Content-Type": media_type})

    return DesignAssetFetcher


def asset_fetcher() -> Any:
    """Return a new URL fetcher that serves only the certificate design files."""
    return _fetcher_class()()


@dataclass
class _Renderer:
    """What WeasyPrint may reuse from one PDF to the next in one thread."""

    font_config: Any
    fetcher: Any
    stylesheet: Any
    design_images: dict
    pid: int


_local = threading.local()
# Renderers a forked process inherited from its parent: kept, never used. Collecting one would
# run its FontConfiguration's finaliser, which deletes the parent's font folder.
_inherited: list[_Renderer] = []


def _renderer() -> _Renderer:
    # One FontConfiguration per thread: each new one costs ≈ 250 KB that is never freed, and
    # reusing it saves reloading the fonts (PERFORMANCE.md). Pango's font map is not shared
    # between threads, hence thread-local rather than process-wide. The stylesheet is parsed
    # (and its fonts registered) once with it.
    # A forked process (a batch's pool) builds its own: Pango and fontconfig state is not
    # shared across a fork.
    renderer = getattr(_local, "renderer", None)
    if renderer is not None and renderer.pid != os.getpid():
        _inherited.append(renderer)
        renderer = None
    if renderer is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config, fetcher = FontConfiguration(), asset_fetcher()
        stylesheet = CSS(
            url=base_url() + STYLESHEET_NAME, url_fetcher=fetcher, font_config=font_config
        )
        renderer = _Renderer(font_config, fetcher, stylesheet, {}, os.getpid())
        _local.renderer = renderer
    return renderer


def base_url() -> str:
    """Return the URL relative asset names of the template resolve against."""
    return DESIGN_FOLDER.as_uri() + "/"


def render_pdf(document: CertificateDocument) -> bytes:
    """Return the certificate as PDF/A-3a bytes: tagged, fonts embedded and subset."""
    if problem := renderer_problem():
        raise RendererUnavailable(problem)
    from weasyprint import HTML

    renderer = _renderer()
    html = HTML(
        string=_render_template(document, link_stylesheet=False),
        base_url=base_url(),
        url_fetcher=renderer.fetcher,
    )
    # WeasyPrint's image cache for this PDF, seeded with the logo and seal parsed once per
    # thread; the QR code it adds is dropped with it, so memory stays flat.
    images = dict(renderer.design_images)
    pdf = html.write_pdf(
        stylesheets=[renderer.stylesheet],
        font_config=renderer.font_config,
        pdf_variant=PDF_VARIANT,
        cache=images,
    )
    if not renderer.design_images:
        design = base_url()
        renderer.design_images = {
            key: image
            for key, image in images.items()
            if isinstance(key, str) and key.startswith(design) and image is not None
        }
    return pdf
