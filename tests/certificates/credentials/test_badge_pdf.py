"""The credential inside the certificate PDF: a PDF/A-3 associated file that rebuilds alike."""

from __future__ import annotations

import hashlib
import io

import pikepdf
import pytest

from lms.certificates.credentials.issuance import credential_json
from lms.certificates.issuing import certificate_folder, open_certificate_pdf
from lms.certificates.storage_check import check_storage, rebuild_pdf
from lms.core import storage
from lms.extensions import db
from tests.certificates.credentials.badges import issued_with_credential
from tests.certificates.helpers import make_certificate_world

pytestmark = pytest.mark.pdf


@pytest.fixture
def world():
    """The certifying world of tests/certificates/helpers.py."""
    return make_certificate_world()


def stored_pdf(certificate) -> bytes:
    with open_certificate_pdf(certificate) as stream:
        return stream.read()


def test_the_pdf_carries_the_credential_as_an_associated_data_file(world):
    certificate, issued = issued_with_credential(world)

    with pikepdf.open(io.BytesIO(stored_pdf(certificate))) as pdf:
        (associated,) = pdf.Root.AF
        assert associated.AFRelationship == pikepdf.Name.Data
        assert str(associated.F) == "credential.json"
        embedded = associated.EF.F
        assert embedded.Subtype == pikepdf.Name("/application/json")
        text = embedded.read_bytes().decode()
        names = pdf.Root.Names.EmbeddedFiles.Names
        assert str(names[0]) == "credential.json"
        assert pdf.open_metadata().pdfa_status == "3A"
    assert text == credential_json(issued.document)


def test_the_stored_pair_renders_the_same_bytes_and_a_lost_pdf_is_rebuilt(world):
    certificate, _ = issued_with_credential(world)
    original = stored_pdf(certificate)

    assert hashlib.sha256(rebuild_pdf(certificate)).hexdigest() == certificate.pdf_sha256
    storage.delete_stored(certificate_folder(), certificate.storage_key)
    check = check_storage(fix=True)
    db.session.commit()

    assert not [p for p in check.remaining if p.store == "certificates"]
    assert stored_pdf(certificate) == original


def test_a_certificate_issued_before_credentials_rebuilds_without_one(world):
    certificate, issued = issued_with_credential(world)
    db.session.delete(issued)
    db.session.commit()

    with pikepdf.open(io.BytesIO(rebuild_pdf(certificate))) as pdf:
        assert "/AF" not in pdf.Root
