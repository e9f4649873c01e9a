"""Render a ``RealisationDocument`` to HTML and to a PDF/A-3a file, with the certificate's renderer.

The documents belong to the certificate design (``certificates/realisation.html``,
``realisation.css``, ``realisation.toml``, the bundled fonts and logo) and go through the same
machinery (``lms.certificates.rendering``): sandboxed Jinja fed plain values only, the
locked-down URL fetcher that serves the design files and nothing else, PDF/A-3a tagged with
every font embedded and subset, WeasyPrint imported on the first PDF only. The same document
renders the same bytes under the same ``realisation_template_version()``: the PDF is dated on
the day it was made and its identifier is a hash of its content.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lms.certificates import rendering
from lms.certificates.context import DESIGN_FOLDER
from lms.certificates.realisation.context import realisation_context
from lms.certificates.realisation.document import RealisationDocument

TEMPLATE_NAME = "realisation.html"
STYLESHEET_NAME = "realisation.css"
OWN_PREFIX = "realisation."
# The modules whose code decides the documents' bytes (paths under lms/certificates).
RENDERING_MODULES = (
    "context",
    "rendering",
    "typesetting",
    "realisation/context",
    "realisation/rendering",
)


def design_files() -> list[Path]:
    """Return the design files of these documents: their own, and the shared fonts and images."""
    files = [path for path in DESIGN_FOLDER.rglob("*") if path.is_file()]
    own = [
        path for path in files if path.parent == DESIGN_FOLDER and path.name.startswith(OWN_PREFIX)
    ]
    shared = [
        path
        for path in files
        if (path.parent != DESIGN_FOLDER or path.suffix == ".svg")
        and path.name not in rendering.NOT_RENDERED
    ]
    return own + shared


@cache
def realisation_template_version() -> str:
    """Return a short SHA-256 of everything that decides the bytes of these documents' PDFs."""
    return rendering.design_digest(design_files(), list(RENDERING_MODULES))


def render_realisation_html(document: RealisationDocument) -> str:
    """Return the document as HTML whose relative URLs name files of ``certificates/``."""
    return _render_template(document, link_stylesheet=True)


def _render_template(document: RealisationDocument, *, link_stylesheet: bool) -> str:
    template = rendering.environment().get_template(TEMPLATE_NAME)
    return template.render(realisation_context(document), link_stylesheet=link_stylesheet)


def render_realisation(document: RealisationDocument) -> bytes:
    """Return the document as PDF/A-3a bytes: tagged, fonts embedded and subset, deterministic."""
    html = _render_template(document, link_stylesheet=False)
    return rendering.html_to_pdf(html, STYLESHEET_NAME)
