"""Render the Markdown written by training designers (lessons, module summaries) safely.

Two layers (SECURITY.md D18): markdown-it-py with raw HTML off turns every ``<`` typed by an
author into text, then nh3 keeps only an allow-list of tags and attributes, drops every URL whose
scheme is not in ``URL_SCHEMES`` (so no ``javascript:`` link survives) and adds
``rel="noopener noreferrer"`` to links. The second layer guards against a renderer bug or a
future plugin; its output is stable (cleaning it again changes nothing).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import nh3
from markupsafe import Markup

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
        "img", "li", "ol", "p", "pre", "strong", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


@cache
def _parser() -> MarkdownIt:
    """Build the CommonMark parser once: raw HTML off, no automatic links."""
    from markdown_it import MarkdownIt  # on first use: its import costs ≈ 0.1 s at start-up

    return MarkdownIt("commonmark", {"html": False, "linkify": False})


def sanitize_html(html: str) -> str:
    """Keep only the allowed tags, attributes and URL schemes of an HTML fragment."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str) -> Markup:
    """Return the HTML of a Markdown text, safe to insert in a page."""
    # Safe by construction: the HTML has just been through the allow-list.
    return Markup(sanitize_html(_parser().render(text or "")))  # noqa: S704


def safe_link(url: str | None) -> str | None:
    """Return the URL when it is an absolute http(s) or mailto link, else None (never linked)."""
    if not url or any(character.isspace() or ord(character) < 32 for character in url):
        return None
    scheme, _separator, rest = url.partition(":")
    if scheme.lower() not in URL_SCHEMES or not rest:
        return None
    return url
