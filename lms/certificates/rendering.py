"""Render a ``CertificateDocument`` to HTML and to a PDF/A-3a file, locked down.

The design lives in the top-level ``certificates/`` folder (template, stylesheet, wording, fonts,
logo and seal; see its README.md). Rendering goes through the application's PDF engine
(``lms.core.pdf``), which follows SECURITY.md G27:

- the Jinja environment is sandboxed, autoescapes, fails on undefined names, loads templates
  from ``certificates/`` only, and receives plain values (strings, numbers, lists, dicts) built
  from the frozen document by ``lms.certificates.context``, never ORM objects;
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

import hashlib
from functools import cache
from importlib.metadata import version as distribution_version
from pathlib import Path

from lms.certificates.context import DESIGN_FOLDER, certificate_context
from lms.certificates.document import CertificateDocument
from lms.core import pdf
from lms.core.pdf import (  # noqa: F401  (the engine's names, as certificates know them)
    ASSET_TYPES,
    NOT_RENDERED,
    PDF_VARIANT,
    QR_DATA_LIMIT,
    QR_DATA_PREFIX,
    AssetRefused,
    RendererUnavailable,
    _fetcher_class,
    _inherited,
    _local,
    asset_fetcher,
    base_url,
    decode_qr_data_url,
    environment,
    html_to_pdf,
    renderer_problem,
    resolve_asset,
)

TEMPLATE_NAME = "certificate.html"
STYLESHEET_NAME = "certificate.css"
# The modules whose code decides a certificate's bytes (see ``template_version``).
RENDERING_MODULES = ("context", "rendering", "typesetting")
# The design files of the jury's minutes (``lms.certificates.minutes``) start with this.
MINUTES_PREFIX = "minutes."
# Other documents' own design files (attendance sheets, certificats de réalisation and
# attestations): they decide none of the certificate's or the minutes' bytes.
OTHER_DOCUMENT_PREFIXES = ("attendance-sheet.", "realisation.")


def design_digest(files: list[Path], modules: list[str]) -> str:
    """Return a short SHA-256 over design files, rendering modules and the renderer's versions.

    ``modules`` are paths relative to ``lms/certificates`` without ``.py`` (``"context"``,
    ``"minutes/context"``).
    """
    digest = hashlib.sha256()
    named = [
        (f"certificates/{path.relative_to(DESIGN_FOLDER).as_posix()}", path)
        for path in sorted(files)
    ]
    package = Path(__file__).parent
    code = [(f"lms/certificates/{name}.py", package / f"{name}.py") for name in modules]
    code.append(("lms/core/pdf.py", Path(pdf.__file__)))
    for name, path in [*named, *code]:
        content = path.read_bytes()
        digest.update(f"{name}\n{len(content)}\n".encode())
        digest.update(content)
    for distribution in ("weasyprint", "pydyf"):
        digest.update(f"{distribution} {distribution_version(distribution)}\n".encode())
    return digest.hexdigest()[:16]


def design_files(*, minutes: bool) -> list[Path]:
    """Return the rendered files of the design: the certificate's, or the jury minutes' ones.

    The minutes' own files (``minutes.*``) belong to the minutes only; the fonts and images are
    shared, so they count for both.
    """
    files = [
        path
        for path in DESIGN_FOLDER.rglob("*")
        if path.is_file()
        and path.name not in NOT_RENDERED
        and not path.name.startswith(OTHER_DOCUMENT_PREFIXES)
    ]
    own = [path for path in files if path.name.startswith(MINUTES_PREFIX)]
    shared = [path for path in files if path.parent != DESIGN_FOLDER or path.suffix == ".svg"]
    if minutes:
        return own + [path for path in shared if path not in own]
    return [path for path in files if path not in own]


@cache
def template_version() -> str:
    """Return a short SHA-256 of everything that decides the bytes of a certificate PDF.

    It covers every design file (template, stylesheet, wording, fonts, images) but the jury
    minutes' own ones, the modules of ``RENDERING_MODULES`` and the versions of WeasyPrint and
    pydyf, so two renderings under one version give the same bytes, and any change of design or
    renderer gives a new version.
    """
    return design_digest(design_files(minutes=False), list(RENDERING_MODULES))


# Read once at import (≈ 2 MB of fonts hashed, a few ms); this module is itself imported lazily.
TEMPLATE_VERSION = template_version()


def render_html(document: CertificateDocument) -> str:
    """Return the certificate as HTML whose relative URLs name files of ``certificates/``."""
    return _render_template(document, link_stylesheet=True)


def _render_template(document: CertificateDocument, *, link_stylesheet: bool) -> str:
    template = environment().get_template(TEMPLATE_NAME)
    return template.render(certificate_context(document), link_stylesheet=link_stylesheet)


def _renderer(stylesheet_name: str = STYLESHEET_NAME) -> pdf._Renderer:
    """Return this thread's renderer of the certificate (or of another stylesheet)."""
    return pdf._renderer(stylesheet_name)


def render_pdf(document: CertificateDocument, credential: pdf.Attachment | None = None) -> bytes:
    """Return the certificate as PDF/A-3a bytes: tagged, fonts embedded and subset.

    ``credential``: the signed Open Badges credential, embedded as an associated file
    (``/AFRelationship /Data``); certificates issued before credentials existed have none.
    """
    html = _render_template(document, link_stylesheet=False)
    return html_to_pdf(html, STYLESHEET_NAME, (credential,) if credential else ())
