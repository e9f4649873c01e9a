"""The jury's minutes, rendered for real at the closing, are signed by the certifier."""

from __future__ import annotations

import pytest

from lms.certificates.jury.closing import close_jury
from lms.certificates.jury.errors import JuryError
from lms.certificates.jury.minutes_store import minutes_folder, open_minutes
from lms.certificates.jury.models import JuryMinutes, JuryState
from lms.core import pades, storage
from lms.extensions import db
from tests.certificates.jury.support import voted_jury_world
from tests.signing import assert_signed
from tests.stores import empty_file_stores

pytestmark = pytest.mark.pdf


def test_closing_a_jury_stores_minutes_signed_by_the_certifier(app, signing):
    world = voted_jury_world()
    _decisions, minutes = close_jury(world.president, world.jury)
    db.session.commit()

    with open_minutes(minutes) as stream:
        pdf = stream.read()
    certifier = app.config.get("CERTIFICATE_ORGANISATION") or world.cohort.path.certifier
    reason = f"Procès-verbal de délibération du jury, établi par {certifier}"
    assert_signed(pdf, signing, reason, "Lyon")


def test_a_closing_whose_minutes_cannot_be_signed_is_refused(app, monkeypatch, tmp_path):
    empty_file_stores()
    world = voted_jury_world()
    (tmp_path / "garbage.p12").write_bytes(b"not a PKCS#12 file")
    monkeypatch.setitem(app.config, "SIGNING_PKCS12", str(tmp_path / "garbage.p12"))
    pades.reset_signing_cache()

    with pytest.raises(JuryError, match="Documents cannot be signed on this server"):
        close_jury(world.president, world.jury)
    db.session.rollback()

    assert db.session.get(type(world.jury), world.jury.id).state == JuryState.OPEN
    assert db.session.scalar(db.select(db.func.count(JuryMinutes.id))) == 0
    assert storage.stored_keys(minutes_folder()) == set()
    pades.reset_signing_cache()
