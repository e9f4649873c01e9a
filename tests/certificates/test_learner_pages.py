"""The learner's certificates: the list, the PDF download and the link in the navigation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.certificates.models import CertificateState
from lms.extensions import db
from tests.factories import (
    CertificateFactory,
    CompetencyBlockFactory,
    MembershipFactory,
    UserFactory,
)
from tests.learning.helpers import make_bien_vivre_path
from tests.web.helpers import log_in, text

PDF = b"%PDF-1.7\n% Aurore's certificate\n%%EOF\n"


@pytest.fixture
def cohort():
    """A cohort on a one-module path."""
    return make_bien_vivre_path(codes=("M1",)).cohort


@pytest.fixture
def aurore(cohort):
    """A learner of the cohort."""
    learner = UserFactory(display_name="Aurore Alpha")
    MembershipFactory(user=learner, cohort=cohort)
    return learner


@pytest.fixture
def basile(cohort):
    """Another learner of the same cohort."""
    learner = UserFactory(display_name="Basile Bravo")
    MembershipFactory(user=learner, cohort=cohort)
    return learner


def certificate_of(learner, cohort, **fields):
    """Create a path certificate of ``learner`` with a stored PDF."""
    return CertificateFactory(learner=learner, cohort=cohort, pdf=PDF, **fields)


def fetch(client, url: str):
    """Get ``url``, read the whole answer and release the file it streams."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def test_the_list_shows_each_certificate_with_its_state(client, aurore, basile, cohort):
    old = certificate_of(
        aurore, cohort, state=CertificateState.SUPERSEDED, superseded_at=datetime.now(UTC)
    )
    current = certificate_of(aurore, cohort, supersedes=old)
    block = CompetencyBlockFactory(path=cohort.path, code="BC1")
    revoked = certificate_of(aurore, cohort, block=block, revoked=True)
    theirs = certificate_of(basile, cohort)
    log_in(client, aurore)

    html = client.get("/certificates").get_data(as_text=True)

    assert f'data-certificate="{current.number}" data-state="valid"' in html
    assert f'href="/certificates/{current.id}/pdf"' in html
    assert f'data-certificate="{old.number}" data-state="superseded"' in html
    assert f'href="#certificate-{current.id}">{current.number}</a>' in html
    assert f'href="/certificates/{old.id}/pdf"' not in html
    assert f'data-certificate="{revoked.number}" data-state="revoked"' in html
    assert f'href="/certificates/{revoked.id}/pdf"' not in html
    assert theirs.number not in html


def test_someone_without_certificates_is_told_so(client, aurore):
    log_in(client, aurore)

    html = client.get("/certificates").get_data(as_text=True)

    assert text("You hold no certificate yet.") in html


def test_the_learner_downloads_their_valid_certificate_as_an_attachment(client, aurore, cohort):
    certificate = certificate_of(aurore, cohort, number="EBV-2026-7K3QX9PA")
    log_in(client, aurore)

    response = fetch(client, f"/certificates/{certificate.id}/pdf")

    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="certificat-EBV-2026-7K3QX9PA.pdf"'
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_another_learner_cannot_download_it(client, aurore, basile, cohort):
    certificate = certificate_of(aurore, cohort)
    log_in(client, basile)

    response = fetch(client, f"/certificates/{certificate.id}/pdf")

    assert response.status_code == 403
    assert PDF not in response.data
    assert b"Aurore" not in response.data


@pytest.mark.parametrize(
    "fields",
    [
        {"revoked": True},
        {"state": CertificateState.SUPERSEDED, "superseded_at": datetime.now(UTC)},
    ],
    ids=["revoked", "superseded"],
)
def test_a_certificate_no_longer_valid_is_not_served_to_its_learner(client, aurore, cohort, fields):
    certificate = certificate_of(aurore, cohort, **fields)
    log_in(client, aurore)

    response = fetch(client, f"/certificates/{certificate.id}/pdf")

    assert response.status_code == 403
    assert PDF not in response.data


def test_trainers_cannot_download_through_the_learner_route(client, aurore, cohort):
    certificate = certificate_of(aurore, cohort)
    trainer = UserFactory()
    MembershipFactory(user=trainer, cohort=cohort, trainer=True)
    log_in(client, trainer)

    assert fetch(client, f"/certificates/{certificate.id}/pdf").status_code == 403


def test_a_lost_pdf_is_not_found(client, aurore, cohort):
    certificate = certificate_of(aurore, cohort)
    certificate.storage_key = "0" * 32  # a key no file is stored under
    db.session.commit()
    log_in(client, aurore)

    assert fetch(client, f"/certificates/{certificate.id}/pdf").status_code == 404


def test_unknown_ids_are_not_found_and_visitors_sent_to_log_in(client, aurore, cohort):
    certificate = certificate_of(aurore, cohort)

    for url in ("/certificates", f"/certificates/{certificate.id}/pdf"):
        assert fetch(client, url).headers["Location"].startswith("/login")
    log_in(client, aurore)
    assert fetch(client, "/certificates/999999/pdf").status_code == 404


def test_the_navigation_always_links_a_learner_to_their_certificates(client, aurore):
    log_in(client, aurore)

    assert 'href="/certificates"' in client.get("/dashboard").get_data(as_text=True)
    page = client.get("/certificates").get_data(as_text=True)
    assert "You hold no certificate yet." in page
