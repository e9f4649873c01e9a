"""Templates follow the domains' order, and stylesheets load in the head.

A template may include, extend or import templates of its own domain and of the domains below
it (DESIGN.md §3): ``core`` (``base.html``, ``_partials/``, ``errors/``) ← accounts ←
organisations ← curriculum ← cohorts ← learning ← assessments, attendance, projects ←
certificates ← quality;
``admin`` uses accounts, organisations (the territory filter), curriculum and cohorts. A
page's own stylesheet goes in ``{% block head %}`` of ``base.html``.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, meta

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CHAIN = [
    "core",
    "accounts",
    "organisations",
    "curriculum",
    "cohorts",
    "learning",
    "assessments",
    "certificates",
]
USES = {domain: set(CHAIN[: index + 1]) for index, domain in enumerate(CHAIN)}
USES["admin"] = {"core", "accounts", "organisations", "curriculum", "cohorts", "admin"}
# attendance sits beside assessments, above learning (DESIGN.md §9); certificates may use it.
USES["attendance"] = {*CHAIN[:6], "attendance"}
USES["certificates"].add("attendance")
# projects too (its pages use organisations, cohorts and learning); certificates may use it.
USES["projects"] = {*CHAIN[:6], "projects"}
USES["certificates"].add("projects")
# quality sits above certificates: it may use every domain's templates but admin's.
USES["quality"] = {*USES["certificates"], "quality"}
CORE = {"base.html", "_partials", "errors"}

# Extension points: the lower domain's page renders without them (``ignore missing``) and the
# higher domain fills them in; the data comes from the higher domain's template global.
EXTENSION_POINTS = {("learning/module.html", "assessments/_module_assessments.html")}

BLOCK_HEAD = re.compile(r"\{%-?\s*block head\s*-?%\}.*?\{%-?\s*endblock\b[^%]*%\}", re.S)
COMMENT = re.compile(r"\{#.*?#\}", re.S)
HEAD = re.compile(r"<head>.*?</head>", re.S | re.I)
STYLESHEET = re.compile(r"<link\b[^>]*\brel=[\"']?stylesheet", re.I)


def domain_of(name: str) -> str:
    """Return the domain a template belongs to, from its path under ``templates/``."""
    top = name.split("/", 1)[0]
    return "core" if top in CORE else top


def read_templates() -> dict[str, str]:
    """Return every HTML template's source by its name."""
    return {
        path.relative_to(TEMPLATES).as_posix(): path.read_text(encoding="utf-8")
        for path in TEMPLATES.rglob("*.html")
    }


def upward_references(sources: dict[str, str]) -> list[str]:
    """Return the references of a template to a template of a domain it may not use."""
    environment = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])  # parsed only
    found = []
    for name, source in sorted(sources.items()):
        allowed = USES[domain_of(name)]
        for target in meta.find_referenced_templates(environment.parse(source)):
            if target is None or (name, target) in EXTENSION_POINTS:
                continue
            if domain_of(target) not in allowed:
                found.append(f"{name} uses {target}")
    return found


def stylesheets_outside_head(sources: dict[str, str]) -> list[str]:
    """Return the templates that link a stylesheet outside the head (``{% block head %}``)."""
    found = []
    for name, source in sorted(sources.items()):
        rest = BLOCK_HEAD.sub("", COMMENT.sub("", source))
        if name == "base.html":
            rest = HEAD.sub("", rest)
        if STYLESHEET.search(rest):
            found.append(name)
    return found


def test_every_template_domain_is_known():
    assert {domain_of(name) for name in read_templates()} <= set(USES)


def test_no_template_uses_a_template_of_a_higher_domain():
    assert upward_references(read_templates()) == []


def test_stylesheets_are_linked_in_the_head_only():
    assert stylesheets_outside_head(read_templates()) == []


def test_a_stylesheet_goes_in_the_head_block():
    page = '{% extends "base.html" %}{% block head %}<link rel="stylesheet" href="a.css">'
    page += "{% endblock %}{% block content %}<h1>Page</h1>{% endblock %}"
    assert stylesheets_outside_head({"learning/page.html": page}) == []


def test_a_stylesheet_in_the_body_is_found():
    page = '{% extends "base.html" %}{% block content %}<link rel=stylesheet href="a.css">'
    page += "{% endblock %}"
    assert stylesheets_outside_head({"learning/page.html": page}) == ["learning/page.html"]


def test_an_upward_include_import_or_extends_is_found():
    sources = {
        "cohorts/a.html": '{% include "certificates/_b.html" %}',
        "accounts/c.html": '{% from "admin/_d.html" import d %}',
        "_partials/_e.html": '{% extends "learning/f.html" %}',
        "certificates/g.html": '{% import "admin/_h.html" as h %}',
    }
    assert upward_references(sources) == [
        "_partials/_e.html uses learning/f.html",
        "accounts/c.html uses admin/_d.html",
        "certificates/g.html uses admin/_h.html",
        "cohorts/a.html uses certificates/_b.html",
    ]


def test_a_downward_reference_is_allowed():
    sources = {
        "certificates/a.html": '{% include "cohorts/admin/_nav.html" %}',
        "admin/b.html": '{% from "_partials/_pagination.html" import pagination_nav %}',
        "assessments/c.html": '{% include "learning/_d.html" %}{% extends "base.html" %}',
    }
    assert upward_references(sources) == []
