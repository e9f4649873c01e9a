"""The demo signs every PDF it issues, as production does, with a development identity.

``lms demo`` writes one into the instance's ``keys/signing.p12`` (with ``keys/signing-ca.pem``,
the CA a PDF reader is told to trust; see docs/signing.md) before it issues anything, unless the
instance already has an identity: an operator's setting, or the file of an earlier run, stays.
A production instance refuses this identity (``lms.core.pades``).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from lms.core import pades
from lms.core.pades_identity import create_development_identity
from lms.demo.realisation import DEMO_ORGANISATION


def ensure_signing_identity() -> None:
    """Write a development signing identity for the instance when it has none."""
    instance = current_app.instance_path
    if pades.pkcs12_path(current_app.config, instance) is not None:
        return
    made = create_development_identity(
        Path(instance) / pades.DEFAULT_PKCS12.parent, DEMO_ORGANISATION
    )
    pades.reset_signing_cache()
    click.echo(
        f"Development signing identity written to {made.pkcs12}: every PDF of the demo is "
        f"signed; trust {made.ca} in a PDF reader to see the signatures valid."
    )
