"""Render a ``MinutesDocument`` to HTML and to a PDF/A-3a file, with the certificate's renderer.

The minutes are a document of the certificate design (``certificates/minutes.html``,
``minutes.css``, ``minutes.toml``, the bundled fonts and logo) and go through the same
machinery (``lms.certificates.rendering``): sandboxed Jinja fed plain values only, the
locked-down URL fetcher that serves the design files and nothing else, PDF/A-3a tagged with
every font embedded and subset, WeasyPrint imported on the first PDF only. The same document
renders the same bytes under the same ``minutes_template_version()``: the PDF is dated at the
closing of the deliberation and its identifier is a hash of its content.
"""

from __future__ import annotations

from functools import cache

from lms.certificates import rendering
from lms.certificates.minutes.context import minutes_context
from lms.certificates.minutes.document import MinutesDocument

TEMPLATE_NAME = "minutes.html"
STYLESHEET_NAME = "minutes.css"
# The modules whose code decides the minutes' bytes (paths under lms/certificates).
RENDERING_MODULES = (
    "context",
    "rendering",
    "typesetting",
    "minutes/context",
    "minutes/rendering",
)


@cache
def minutes_template_version() -> str:
    """Return a short SHA-256 of everything that decides the bytes of the minutes' PDF.

    It covers the minutes' design files, the fonts and images they share with the certificate,
    the rendering modules and the versions of WeasyPrint and pydyf: under one version the same
    document renders the same bytes.
    """
    return rendering.design_digest(rendering.design_files(minutes=True), list(RENDERING_MODULES))


def render_minutes_html(document: MinutesDocument) -> str:
    """Return the minutes as HTML whose relative URLs name files of ``certificates/``."""
    return _render_template(document, link_stylesheet=True)


def _render_template(document: MinutesDocument, *, link_stylesheet: bool) -> str:
    template = rendering.environment().get_template(TEMPLATE_NAME)
    return template.render(minutes_context(document), link_stylesheet=link_stylesheet)


def render_minutes(document: MinutesDocument) -> bytes:
    """Return the minutes as PDF/A-3a bytes: tagged, fonts embedded and subset, deterministic."""
    html = _render_template(document, link_stylesheet=False)
    return rendering.html_to_pdf(html, STYLESHEET_NAME)
