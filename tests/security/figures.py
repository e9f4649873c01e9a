"""Figures collected by the security tests and printed at the end of the run (tests/conftest.py)."""

from __future__ import annotations

# label -> value, e.g. "routes classified" -> "12/12"; filled in by the tests that measure them.
FIGURES: dict[str, str] = {}


def add(label: str, count: int) -> None:
    """Add ``count`` to the running total shown under ``label``."""
    FIGURES[label] = str(int(FIGURES.get(label, "0")) + count)


def merge(figures: dict[str, str]) -> None:
    """Add figures measured elsewhere (a pytest-xdist worker): counts add up, ratios are kept."""
    for label, value in figures.items():
        if value.isdigit() and FIGURES.get(label, "0").isdigit():
            add(label, int(value))
        else:
            FIGURES[label] = value
