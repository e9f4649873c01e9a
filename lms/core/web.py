"""Helpers every list page shares: the page asked for, and the filters to carry into its links."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request

MAX_PAGE = 100_000  # far past any real list; keeps the SQL offset within range


def page_number() -> int:
    """Return the page asked for in the query string, 1 when missing or nonsense."""
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), MAX_PAGE)


def link_args(form: Iterable[Any]) -> dict[str, str]:
    """Return the filters a list page was asked for, to carry them into its page links."""
    return {field.name: field.raw_data[0] for field in form if field.raw_data and field.raw_data[0]}
