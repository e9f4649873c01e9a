"""The learner's badge: its download and profile links; issuing without a key; batches; limits."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from lms.certificates.batches import run_batch, start_batch
from lms.certificates.credentials.issuance import credential_json
from lms.certificates.credentials.models import IssuedCredential, StatusList
from lms.certificates.errors import CertificateError
from lms.certificates.issuing import issue_certificate
from lms.certificates.models import Certificate
from lms.certificates.revocation import revoke_certificate
from lms.extensions import db
from tests.certificates.credentials.badges import check, issued_with_credential
from tests.certificates.helpers import make_certificate_world
from tests.web.helpers import log_in


@pytest.fixture
def world():
    """The certifying world of tests/certificates/helpers.py."""
    return make_certificate_world()


def badge_section(client, certificate) -> str | None:
    """Return the HTML of the certificate's badge section on the learner's page, if any."""
    page = client.get("/certificates").get_data(as_text=True)
    item = page.split(f'id="certificate-{certificate.id}"', 1)[1].split("</li>", 1)[0]
    found = re.search(r'<section class="badge-share".*?</section>', item, re.S)
    return found.group(0) if found else None


def link(section: str, text: str) -> tuple[str, str]:
    """Return the address and the ``rel`` of the section's link whose text is ``text``."""
    for attributes, label in re.findall(r"<a ([^>]*)>(.*?)</a>", section, re.S):
        if text in label:
            href = html.unescape(re.search(r'href="([^"]*)"', attributes).group(1))
            rel = re.search(r'rel="([^"]*)"', attributes)
            return href, rel.group(1) if rel else ""
    raise AssertionError(f"no link {text!r}")


def test_the_learner_downloads_their_badge_and_finds_the_profile_link(world, client):
    certificate, issued = issued_with_credential(world, display_name="Zoé Lefèvre")
    log_in(client, certificate.learner)

    section = badge_section(client, certificate)
    href, _ = link(section, "Open Badges 3.0")
    response = client.get(href)

    assert href == f"/certificates/{certificate.id}/badge.json"
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="badge-{certificate.number}.json"'
    )
    assert response.get_data(as_text=True) == credential_json(issued.document)
    assert check(response.get_json()).valid
    linkedin, rel = link(section, "LinkedIn")
    url = urlsplit(linkedin)
    query = parse_qs(url.query)
    assert (url.scheme, url.netloc, url.path) == ("https", "www.linkedin.com", "/profile/add")
    assert query["name"] == [issued.document["name"]]
    assert query["certId"] == [certificate.number]
    assert query["certUrl"] == [f"http://localhost/verify/{certificate.code}"]
    assert query["issueYear"] == [str(certificate.issued_at.year)]
    assert query["organizationName"] == [certificate.document["organisation"]]
    assert rel == "noopener noreferrer"
    assert "<script" not in section


def test_no_one_else_gets_the_badge(world, client):
    certificate, _ = issued_with_credential(world)
    other = world.eligible_learner()
    log_in(client, other)

    assert client.get(f"/certificates/{certificate.id}/badge.json").status_code == 403
    assert client.get("/certificates/999999/badge.json").status_code == 404


def test_a_revoked_certificate_offers_no_badge(world, client):
    certificate, _ = issued_with_credential(world)
    revoke_certificate(certificate, revoked_by=world.admin, reason="Erreur de saisie")
    db.session.commit()
    log_in(client, certificate.learner)

    assert badge_section(client, certificate) is None
    assert client.get(f"/certificates/{certificate.id}/badge.json").status_code == 403


def test_a_certificate_issued_before_credentials_has_its_pdf_and_no_badge(world, client):
    certificate, issued = issued_with_credential(world)
    db.session.delete(issued)
    db.session.commit()
    log_in(client, certificate.learner)

    page = client.get("/certificates")

    assert page.status_code == 200
    assert badge_section(client, certificate) is None
    assert f"/certificates/{certificate.id}/pdf" in page.get_data(as_text=True)
    assert client.get(f"/certificates/{certificate.id}/badge.json").status_code == 404


def test_without_a_key_in_production_issuing_says_so_and_keeps_nothing(world, app, tmp_path):
    learner = world.eligible_learner()
    world.award(learner)
    names = ("ENV_NAME", "CREDENTIAL_KEYS_FOLDER", "BASE_URL")
    saved = {name: app.config.get(name) for name in names}
    app.config.update(
        ENV_NAME="production",
        CREDENTIAL_KEYS_FOLDER=str(tmp_path / "none"),
        BASE_URL="https://lms.example",
    )
    try:
        with pytest.raises(CertificateError, match="no key may sign their credentials"):
            issue_certificate(world.cohort, learner, issued_by=world.admin)
    finally:
        app.config.update(saved)
    db.session.rollback()

    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0
    assert db.session.scalar(db.select(db.func.count(StatusList.id))) == 0


def test_a_batch_issues_every_certificate_with_its_credential(world):
    learners = [world.eligible_learner() for _ in range(3)]
    world.award(*learners)
    batch = start_batch(world.cohort, world.admin)
    db.session.commit()

    run_batch(batch.id)

    issued = db.session.scalars(db.select(IssuedCredential)).all()
    assert len(issued) == 3
    assert sorted(i.status_index for i in issued) == [0, 1, 2]
    assert all(check(i.document).valid for i in issued)


def test_credentials_are_rate_limited_per_address(world, app, client, monkeypatch):
    certificate, _ = issued_with_credential(world)
    monkeypatch.setitem(app.config, "RATELIMIT_VERIFY", "3 per minute")

    answers = [
        client.get(f"/credentials/{certificate.code}.json").status_code,
        client.get("/issuer").status_code,
        client.get("/issuer/keys/unknown").status_code,
        client.get(f"/credentials/{certificate.code}.json").status_code,
    ]

    assert answers == [200, 200, 404, 429]


def test_the_administrators_certificate_page_links_the_credential(world, client):
    certificate, issued = issued_with_credential(world)
    older, without = issued_with_credential(world)
    db.session.delete(without)
    db.session.commit()
    log_in(client, world.admin)

    page = client.get(f"/admin/certificates/{certificate.id}").get_data(as_text=True)
    other = client.get(f"/admin/certificates/{older.id}").get_data(as_text=True)

    assert f'href="/certificates/{certificate.id}/badge.json"' in page
    assert f"entry {issued.status_index}" in page
    assert "issued before credentials existed" in other
    badge = client.get(f"/certificates/{certificate.id}/badge.json")
    assert badge.get_data(as_text=True) == credential_json(issued.document)
