"""The test client of the suite and of the benchmarks (which must not import conftest)."""

from __future__ import annotations

from flask import g
from flask.testing import FlaskClient


class IsolatedClient(FlaskClient):
    """A test client whose requests start with a fresh ``g``, as in production.

    Tests keep an application context open (for factories and assertions); Flask reuses it
    for the client's requests, so without this, values cached in ``g`` (the logged-in user)
    would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            g.__dict__.clear()
