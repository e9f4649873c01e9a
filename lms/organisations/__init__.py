"""Organisations: the organisation that certifies and its territories (DESIGN.md §9).

This domain sits between accounts and curriculum: a cohort belongs to a territory, and the
territories' local administrators are scoped to theirs (``lms.organisations.access``; what they
may do with a cohort is said in ``lms.cohorts.access``). ``init_app`` registers its pages.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the organisation's and territories' pages."""
