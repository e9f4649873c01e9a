"""The ``marking`` blueprint: the markers' pages (``views``) and staff allocation (``manage``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("marking", __name__)
