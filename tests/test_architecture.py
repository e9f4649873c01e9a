"""The shape of ``lms/``: every import read with ``ast`` (those inside functions too).

Two rules, from DESIGN.md §3 and §9:

- no file-level import cycle: two modules that import each other (directly or around a loop)
  cannot be read, tested or moved one at a time;
- imports follow the domain order, lower never importing higher::

      extensions ← core ← accounts ← organisations ← curriculum ← cohorts ← learning
      ← assessments, attendance, projects ← certificates ← quality
      ← admin, operations, demo ← the application factory (lms/__init__.py, lms/cli.py)

  Domains of one rank do not import each other, and ``admin`` uses accounts, organisations,
  cohorts and curriculum only. ``extensions`` (the unbound Flask extensions, ``db`` first) and
  ``config`` are below everything: every domain may use them.

A third rule keeps pages apart: a view module (``views``, ``*_views``, ``manage``, or any module
that creates a ``Blueprint``) never imports another domain's view module; what two domains' pages
share lives in a non-view module (the access rules in ``lms.cohorts.access`` and
``lms.learning.access``, the list helpers in ``lms.core.web``).

``KNOWN_CYCLES`` is empty and must stay so; the test fails when a new cycle appears and when a
listed one is gone (the list only shrinks). The same goes for
``KNOWN_LONG_FILES``, the files over ``MAX_LINES`` lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "lms"
MAX_LINES = 400

# Rank of each domain: a module may import its own domain's modules and those of lower rank.
RANKS: dict[str, int] = {
    "extensions": 0,
    "config": 0,
    "core": 1,
    "accounts": 2,
    "organisations": 3,
    "curriculum": 4,
    "cohorts": 5,
    "learning": 6,
    "assessments": 7,
    "attendance": 7,
    "projects": 7,
    "certificates": 8,
    "quality": 9,
    "admin": 10,
    "operations": 10,
    "demo": 10,
    "factory": 11,
}
# Domains that may use only some of the domains below them (besides extensions, config, core).
ONLY_USES: dict[str, frozenset[str]] = {
    "admin": frozenset({"accounts", "organisations", "cohorts", "curriculum"}),
}
ALWAYS_ALLOWED = frozenset({"extensions", "config", "core"})

# File-level cycles still to break, each as the set of modules that import one another around it.
# Empty: keep it so (the test below fails on any cycle that is not listed here).
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset()
# Files over MAX_LINES lines, being split (issue: files that fit in one sitting).
KNOWN_LONG_FILES: frozenset[str] = frozenset()


# ---------------------------------------------------------------------------------------------
# Reading the imports


def modules_of(root: Path, package: str) -> dict[str, Path]:
    """Return every module of ``package`` under ``root``: dotted name → file."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def imported_names(path: Path, module: str) -> set[str]:
    """Return the dotted names ``module`` imports, anywhere in its file (relative ones resolved).

    ``from a.b import c`` gives ``a.b.c``, which is a module or a name in ``a.b``: ``import_graph``
    keeps the longest prefix that is a module (``from a.b import *`` gives ``a.b.*``, so ``a.b``).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")
                keep = len(parent) - node.level + (1 if is_package else 0)
                base = ".".join([*parent[:keep], *([base] if base else [])])
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Return the module graph of ``package``: module → the package's modules it imports."""
    modules = modules_of(root, package)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for name in imported_names(path, module):
            parts = name.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()
            if parts:
                targets.add(".".join(parts))
        targets.discard(module)
        graph[module] = targets
    return graph


def cycles(graph: Mapping[str, Iterable[str]]) -> set[frozenset[str]]:
    """Return the import cycles: the groups of modules that each reach all the others."""
    reach = {node: reachable(graph, node) for node in graph}
    return {
        frozenset({node} | {other for other in reach[node] if node in reach.get(other, ())})
        for node in graph
        if node in reach[node]
    }


def reachable(graph: Mapping[str, Iterable[str]], start: str) -> set[str]:
    """Return the modules ``start`` imports, directly or through others."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def domain_of(module: str) -> str:
    """Return the domain of a module of lms: its first package, or the top-level module's role."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "cli":
        return "factory"  # lms/__init__.py (create_app) and lms/cli.py (the lms command)
    return parts[1]


def upward_imports(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Return each import against the domain order, as ``module → imported (domains)``."""
    wrong = []
    for module, targets in sorted(graph.items()):
        domain = domain_of(module)
        for target in sorted(targets):
            used = domain_of(target)
            if used == domain or _allowed(domain, used):
                continue
            wrong.append(f"{module} → {target} ({domain} may not use {used})")
    return wrong


def _allowed(domain: str, used: str) -> bool:
    if domain not in RANKS or used not in RANKS:
        return False  # a new domain must be placed in RANKS first
    if used in ALWAYS_ALLOWED and RANKS[used] < RANKS[domain]:
        return True
    if domain in ONLY_USES:
        return used in ONLY_USES[domain]
    return RANKS[used] < RANKS[domain]


def view_modules(root: Path, package: str) -> set[str]:
    """Return the modules holding pages: named views, *_views or manage, or making a Blueprint."""
    found = set()
    for module, path in modules_of(root, package).items():
        name = module.rsplit(".", 1)[-1]
        if name == "manage" or name.endswith("views") or _creates_blueprint(path):
            found.add(module)
    return found


def _creates_blueprint(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return any(
        isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Blueprint"
        for node in ast.walk(tree)
    )


def views_importing_other_domains_views(
    graph: Mapping[str, Iterable[str]], views: set[str]
) -> list[str]:
    """Return each import of a view module by another domain's view module."""
    return [
        f"{module} → {target}"
        for module in sorted(views & graph.keys())
        for target in sorted(graph[module])
        if target in views and domain_of(target) != domain_of(module)
    ]


def long_files(root: Path, package: str, limit: int = MAX_LINES) -> set[str]:
    """Return the files of ``package`` over ``limit`` lines, relative to ``root``."""
    return {
        str(path.relative_to(root))
        for path in modules_of(root, package).values()
        if len(path.read_text(encoding="utf-8").splitlines()) > limit
    }


# ---------------------------------------------------------------------------------------------
# The real tree


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(ROOT, PACKAGE)


def test_no_new_import_cycle_and_no_forgotten_one(graph):
    found = cycles(graph)

    assert found - KNOWN_CYCLES == set(), "new import cycle(s): break them"
    assert KNOWN_CYCLES - found == set(), "cycle(s) gone: remove them from KNOWN_CYCLES"


def test_imports_follow_the_domain_order(graph):
    assert upward_imports(graph) == []


def test_no_view_imports_another_domain_s_views(graph):
    views = view_modules(ROOT, PACKAGE)

    assert {"lms.accounts.views", "lms.certificates.manage", "lms.core.health"} <= views
    assert views_importing_other_domains_views(graph, views) == []


def test_every_domain_is_placed_in_the_order(graph):
    assert {domain_of(module) for module in graph} <= RANKS.keys()


def test_no_new_long_file_and_no_forgotten_one():
    found = long_files(ROOT, PACKAGE)

    assert found - KNOWN_LONG_FILES == set(), f"files over {MAX_LINES} lines: split them"
    assert KNOWN_LONG_FILES - found == set(), "file(s) now short: remove from KNOWN_LONG_FILES"


def test_imports_inside_functions_are_read(graph):
    # lms/core/jobs.py imports the RQ workers inside the ``lms worker`` command only.
    assert "lms.core.workers" in graph["lms.core.jobs"]


# ---------------------------------------------------------------------------------------------
# The checks themselves, on small fake trees


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write a fake package tree (``path → source``) under ``root``; return ``root``."""
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root


def fake_lms(tmp_path: Path, **extra: str) -> dict[str, set[str]]:
    """A small lms with core, accounts and learning, plus ``extra`` files; return its graph."""
    files = {
        "lms/__init__.py": "def create_app():\n    from lms.learning import views\n",
        "lms/extensions.py": "db = object()\n",
        "lms/core/__init__.py": "",
        "lms/core/time.py": "from lms.extensions import db\n",
        "lms/accounts/__init__.py": "",
        "lms/accounts/models.py": "from lms.core.time import now\n",
        "lms/learning/__init__.py": "",
        "lms/learning/views.py": "from lms.accounts import models\nfrom . import services\n",
        "lms/learning/services.py": "from ..accounts.models import User\n",
    }
    files.update({name.replace("__", "/") + ".py": source for name, source in extra.items()})
    return import_graph(write_tree(tmp_path, files), "lms")


def test_a_clean_fake_tree_passes(tmp_path):
    graph = fake_lms(tmp_path)

    assert graph["lms.learning.views"] == {"lms.accounts.models", "lms.learning.services"}
    assert graph["lms.learning.services"] == {"lms.accounts.models"}
    assert cycles(graph) == set()
    assert upward_imports(graph) == []


def test_an_upward_import_fails(tmp_path):
    graph = fake_lms(tmp_path, lms__accounts__services="from lms.learning.views import page\n")

    assert upward_imports(graph) == [
        "lms.accounts.services → lms.learning.views (accounts may not use learning)"
    ]


def test_an_upward_import_inside_a_function_fails(tmp_path):
    source = "def later():\n    import lms.learning.services\n"
    graph = fake_lms(tmp_path, lms__core__jobs=source)

    assert upward_imports(graph) == [
        "lms.core.jobs → lms.learning.services (core may not use learning)"
    ]


def test_admin_uses_only_accounts_cohorts_and_curriculum(tmp_path):
    graph = fake_lms(
        tmp_path,
        lms__admin__views="from lms.accounts.models import User\nfrom lms.learning import views\n",
    )

    assert upward_imports(graph) == [
        "lms.admin.views → lms.learning.views (admin may not use learning)"
    ]


def test_a_cycle_fails(tmp_path):
    graph = fake_lms(
        tmp_path,
        lms__accounts__passwords="from lms.accounts.services import hash_password\n",
        lms__accounts__services="def f():\n    from lms.accounts import passwords\n",
    )

    assert cycles(graph) == {frozenset({"lms.accounts.passwords", "lms.accounts.services"})}


def test_a_longer_cycle_through_relative_imports_fails(tmp_path):
    graph = fake_lms(
        tmp_path,
        lms__core__a="from . import b\n",
        lms__core__b="from .c import thing\n",
        lms__core__c="from lms.core.a import other\n",
    )

    assert cycles(graph) == {frozenset({"lms.core.a", "lms.core.b", "lms.core.c"})}


def test_a_view_importing_another_domain_s_views_fails(tmp_path):
    graph = fake_lms(
        tmp_path,
        lms__accounts__blueprint='from flask import Blueprint\nbp = Blueprint("accounts", "x")\n',
        lms__learning__views="from lms.accounts.blueprint import bp\nfrom . import access\n",
        lms__learning__manage="from lms.learning.views import page\n",  # same domain: fine
        lms__learning__access="from lms.accounts.models import User\n",  # not a view module
    )
    views = view_modules(tmp_path, "lms")

    assert views == {"lms.accounts.blueprint", "lms.learning.manage", "lms.learning.views"}
    assert views_importing_other_domains_views(graph, views) == [
        "lms.learning.views → lms.accounts.blueprint"
    ]


def test_a_long_file_is_found(tmp_path):
    write_tree(tmp_path, {"lms/__init__.py": "", "lms/core/big.py": "x = 1\n" * (MAX_LINES + 1)})

    assert long_files(tmp_path, "lms") == {"lms/core/big.py"}
