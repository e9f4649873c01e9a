"""Quality: surveys (see lms.quality)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this part's pages and commands."""
