"""The documentation stays true to the code: domains, their dependencies, signals, settings, links.

docs/architecture.md draws the domains and the arrows allowed between them (a Mermaid diagram)
and names every blinker signal; docs/operations.md documents every ``LMS_*`` setting; the README
keeps the two quick-start commands first and stays short. Each check is a function of plain
inputs, so that its own tests can show it failing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LMS = ROOT / "lms"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
OPERATIONS = ROOT / "docs" / "operations.md"
README = ROOT / "README.md"

QUICK_START = (
    "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/lms demo",
    "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && .venv/bin/pytest",
)
README_MAX_BYTES = 12_000

MERMAID = re.compile(r"```mermaid\n(.*?)```", re.DOTALL)
# "a --> b" or 'a["label"] --> b': dotted arrows (-.->) are the signals, not dependencies.
ARROW = re.compile(r"^\s*(\w+)(?:\[[^\]]*\])?\s*-->\s*(\w+)", re.MULTILINE)
SETTING = re.compile(r"LMS_[A-Z0-9_]*[A-Z0-9]")


# --- what the code holds -------------------------------------------------------------------


def domain_packages(root: Path = LMS) -> set[str]:
    """Return the names of the packages directly under ``lms/`` (the domains)."""
    return {path.parent.name for path in root.glob("*/__init__.py")}


def imported_modules(source: str) -> Iterable[str]:
    """Yield every absolute module name a source imports, at any depth (functions too)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def domain_imports(sources: Mapping[str, str], domains: set[str]) -> set[tuple[str, str, str]]:
    """Return (importing domain, imported domain, file) for each import between two domains.

    ``sources`` maps a file's path relative to the repository (``lms/<domain>/...``) to its
    source. Files directly under ``lms/`` (the factory, the command, the demo, the foundation)
    are not domains and are left out.
    """
    found = set()
    for relative, source in sources.items():
        parts = Path(relative).parts
        if len(parts) < 3 or parts[1] not in domains:
            continue
        for module in imported_modules(source):
            names = module.split(".")
            if names[0] == "lms" and len(names) > 1 and names[1] in domains - {parts[1]}:
                found.add((parts[1], names[1], relative))
    return found


def defined_signals(sources: Mapping[str, str]) -> set[str]:
    """Return the names bound to blinker signals (``x = namespace.signal(...)``)."""
    names = set()
    for source in sources.values():
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
                continue
            function = node.value.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            if isinstance(function, ast.Name):
                name = function.id
            if name == "signal":
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def settings_read(source: str) -> set[str]:
    """Return the ``LMS_*`` names a source holds as whole string constants."""
    return {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and SETTING.fullmatch(node.value)
    }


def lms_sources() -> dict[str, str]:
    """Return every Python source of ``lms/`` by its path relative to the repository."""
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted(LMS.rglob("*.py"))
    }


# --- what the docs say ---------------------------------------------------------------------


def diagram_arrows(markdown: str) -> set[tuple[str, str]]:
    """Return the (from, to) dependency arrows of every Mermaid block of a page."""
    return {pair for block in MERMAID.findall(markdown) for pair in ARROW.findall(block)}


def reachable(arrows: set[tuple[str, str]], start: str) -> set[str]:
    """Return every node reached from ``start`` by following the arrows."""
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        for source, target in arrows:
            if source == node and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def undeclared_imports(
    imports: set[tuple[str, str, str]], arrows: set[tuple[str, str]]
) -> list[str]:
    """Return a sentence per import between domains that no chain of arrows allows."""
    return sorted(
        f"{path}: {importer} imports {imported}, which docs/architecture.md does not allow"
        for importer, imported, path in imports
        if imported not in reachable(arrows, importer)
    )


def undocumented(names: Iterable[str], markdown: str) -> list[str]:
    """Return the names that a page never mentions as a whole word."""
    return sorted(
        name
        for name in set(names)
        if not re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", markdown)
    )


def github_anchor(heading: str) -> str:
    """Return the anchor GitHub gives a heading: lower case, punctuation dropped, dashes."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    """Return the relative links of a Markdown page whose file or heading does not exist."""
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if not linked.exists():
            broken.append(f"{page.relative_to(root)}: {target} (no such file)")
        elif anchor and linked.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"), re.MULTILINE)
            if anchor not in {github_anchor(heading) for heading in headings}:
                broken.append(f"{page.relative_to(root)}: {target} (no such heading)")
    return broken


# --- the checks ----------------------------------------------------------------------------


def test_every_domain_package_is_a_node_of_the_diagram():
    arrows = diagram_arrows(ARCHITECTURE.read_text(encoding="utf-8"))
    nodes = {node for arrow in arrows for node in arrow}
    missing = sorted(domain_packages() - nodes)
    assert not missing, f"domain packages missing from docs/architecture.md's diagram: {missing}"


def test_imports_between_domains_follow_the_diagram():
    arrows = diagram_arrows(ARCHITECTURE.read_text(encoding="utf-8"))
    imports = domain_imports(lms_sources(), domain_packages())
    assert imports, "the scan found no import between domains: it reads nothing"
    assert undeclared_imports(imports, arrows) == []


def test_every_signal_is_named_in_the_architecture():
    signals = defined_signals(lms_sources())
    assert signals, "the scan of lms/ found no signal"
    assert undocumented(signals, ARCHITECTURE.read_text(encoding="utf-8")) == []


def test_every_setting_is_documented_in_operations():
    read = settings_read((LMS / "config.py").read_text(encoding="utf-8"))
    assert "LMS_SECRET_KEY" in read, "the scan of lms/config.py found no setting"
    for path in [*LMS.rglob("*.py"), ROOT / "gunicorn.conf.py"]:
        read |= settings_read(path.read_text(encoding="utf-8"))
    assert undocumented(read, OPERATIONS.read_text(encoding="utf-8")) == []


def test_readme_is_short_and_starts_with_the_two_quick_start_commands():
    text = README.read_text(encoding="utf-8")
    assert len(text.encode()) < README_MAX_BYTES
    first_block = re.search(r"```sh\n(.*?)```", text, re.DOTALL)
    assert first_block, "the README has no shell block"
    commands = [line for line in first_block.group(1).splitlines() if line.startswith("python3")]
    assert commands == list(QUICK_START)


@pytest.mark.parametrize(
    "doc",
    [
        README,
        ROOT / "CONTRIBUTING.md",
        ROOT / "CHANGELOG.md",
        *sorted((ROOT / "docs").rglob("*.md")),
    ],
    ids=lambda doc: str(doc.relative_to(ROOT)),
)
def test_links_between_pages_resolve(doc):
    assert broken_links(doc) == []


def test_the_licence_is_the_agpl_that_pyproject_names():
    assert 'license = "AGPL-3.0-or-later"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    head = (ROOT / "LICENSE").read_text(encoding="utf-8")[:200]
    assert "GNU AFFERO GENERAL PUBLIC LICENSE" in head
    assert "Version 3, 19 November 2007" in head


# --- the checks fail when they should ------------------------------------------------------

ARROWS = {("learning", "cohorts"), ("cohorts", "core"), ("certificates", "learning")}


def test_an_upward_import_is_reported():
    sources = {"lms/learning/services.py": "def f():\n    from lms.certificates import models\n"}
    imports = domain_imports(sources, {"learning", "certificates", "cohorts", "core"})
    assert undeclared_imports(imports, ARROWS) == [
        "lms/learning/services.py: learning imports certificates, which docs/architecture.md "
        "does not allow"
    ]


def test_an_import_allowed_through_a_chain_of_arrows_passes():
    sources = {
        "lms/certificates/services.py": "import lms.core.time\nfrom lms.extensions import db\n",
        "lms/demo.py": "from lms.certificates import services\n",  # on top: not a domain
    }
    imports = domain_imports(sources, {"learning", "certificates", "cohorts", "core"})
    assert imports == {("certificates", "core", "lms/certificates/services.py")}
    assert undeclared_imports(imports, ARROWS) == []


def test_an_import_by_name_is_seen():
    source = 'import importlib\nnotify = importlib.import_module("lms.certificates.notify")\n'
    imports = domain_imports({"lms/cohorts/x.py": source}, {"cohorts", "certificates"})
    assert imports == {("cohorts", "certificates", "lms/cohorts/x.py")}


def test_a_missing_node_or_signal_or_setting_is_reported():
    page = '```mermaid\nflowchart BT\n    accounts --> core\n    a["x"] -.-> b\n```\n'
    assert diagram_arrows(page) == {("accounts", "core")}
    signals = defined_signals({"x.py": 'ns = Namespace()\nasked = ns.signal("asked")\n'})
    assert signals == {"asked"}
    assert undocumented(signals, "Signals: `asked_more`.") == ["asked"]
    settings = settings_read('NAMES = {"LMS_NEW_THING": "NEW_THING", "x": f"LMS_PROXY_{1}"}')
    assert settings == {"LMS_NEW_THING"}
    assert undocumented(settings, "`LMS_NEW_THINGS`") == ["LMS_NEW_THING"]
    assert undocumented(settings, "| `LMS_NEW_THING` | 1 |") == []


def test_a_broken_link_is_reported(tmp_path):
    (tmp_path / "a.md").write_text("# Title here\n[ok](#title-here) [no](b.md) [gone](#nope)\n")
    assert broken_links(tmp_path / "a.md", root=tmp_path) == [
        "a.md: b.md (no such file)",
        "a.md: #nope (no such heading)",
    ]
