"""Lesson Markdown is rendered safely: raw HTML off, then sanitised with an allow-list (D18)."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from lms.core.markdown import ALLOWED_TAGS, render_markdown, sanitize_html

PAYLOADS = (
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "![y](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    '"><script>alert(1)</script>',
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<javascript:alert(1)>",
    "{{7*7}}",
    "`<script>`",
)
# Markdown syntax and HTML fragments mixed at random, to reach unusual parser states.
FRAGMENTS = st.sampled_from(
    [*PAYLOADS, "[", "]", "(", ")", "<", ">", "&", '"', "'", "*", "_", "`", "\n", "\n\n",
     "# ", "> ", "- ", "1. ", "    ", "!", "on", "=", ":", "http://x.org", "&#x3C;", "\\"]
)  # fmt: skip
MARKDOWN = st.one_of(st.text(), st.lists(FRAGMENTS | st.text(max_size=5)).map("".join))


class _Elements(HTMLParser):
    """Collect every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Return (tag, attributes) of every element of an HTML fragment, values decoded."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_inert(html: str) -> None:
    """Fail when the HTML holds a script, an event handler or a javascript: URL."""
    assert "<script" not in html.lower()
    for tag, attributes in elements(html):
        assert tag in ALLOWED_TAGS
        for name, value in attributes:
            assert not name.lower().startswith("on")
            compact = "".join((value or "").split()).lower()
            assert not compact.startswith(("javascript:", "data:", "vbscript:"))


@settings(max_examples=300, deadline=None)
@given(MARKDOWN)
def test_nothing_executable_survives(text):
    assert_inert(render_markdown(text))


@settings(max_examples=300, deadline=None)
@given(MARKDOWN)
def test_sanitising_the_output_again_changes_nothing(text):
    html = str(render_markdown(text))
    assert sanitize_html(html) == html


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_sanitising_any_html_leaves_nothing_executable(html):
    assert_inert(sanitize_html(html))


def test_every_payload_is_inert():
    for payload in PAYLOADS:
        assert_inert(render_markdown(payload))


def test_raw_html_is_shown_as_text():
    html = render_markdown("<img src=x onerror=alert(1)> and <b>bold</b>")
    assert html == "<p>&lt;img src=x onerror=alert(1)&gt; and &lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_a_javascript_link_stays_plain_text():
    assert render_markdown("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>\n"


def test_links_keep_their_address_and_get_noopener():
    html = render_markdown("[Guide](https://example.org/guide?a=1&b=2)")
    assert html == (
        '<p><a href="https://example.org/guide?a=1&amp;b=2" rel="noopener noreferrer">'
        "Guide</a></p>\n"
    )


def test_usual_markdown_is_kept():
    html = render_markdown("# Titre\n\nUn **mot** et *un autre*.\n\n- un\n- deux\n\n> cité")
    assert "<h1>Titre</h1>" in html
    assert "<strong>mot</strong>" in html
    assert "<em>un autre</em>" in html
    assert "<ul>\n<li>un</li>" in html
    assert "<blockquote>" in html


def test_template_syntax_is_not_evaluated():
    assert render_markdown("{{7*7}} {% raw %}") == "<p>{{7*7}} {% raw %}</p>\n"


def test_output_is_markup_and_empty_text_gives_nothing():
    assert isinstance(render_markdown("x"), Markup)
    assert render_markdown("") == ""
