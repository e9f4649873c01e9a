"""Public verification (SECURITY.md G30): by code, as a page or JSON, and by dropping the PDF."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from datetime import UTC, datetime

import pytest

from lms.certificates.issuing import new_code
from lms.certificates.models import CertificateState
from lms.certificates.verification import CODE_FORMAT
from lms.extensions import db
from tests.factories import (
    CertificateFactory,
    CohortFactory,
    CompetencyBlockFactory,
    TrainingPathFactory,
    UserFactory,
)
from tests.web.helpers import csrf_token_of, log_in

FAKE_PDF = b"%PDF-1.7\n% a certificate as issued\n" + b"x" * 2000 + b"\n%%EOF\n"
# Ids no page could show by chance: a leak of an internal id is unmistakable.
LEARNER_ID, CERTIFICATE_ID, COHORT_ID = 876_543, 987_654, 765_432


@pytest.fixture
def path():
    """Return a path of two blocks, version 3, certified by a named organisation."""
    path = TrainingPathFactory(
        title="Entrepreneur·e du bien-vivre", version=3, certifier="Institut du bien-vivre"
    )
    CompetencyBlockFactory(path=path, code="BC1", title="Diagnostiquer un territoire", position=1)
    CompetencyBlockFactory(path=path, code="BC2", title="Mobiliser les acteurs", position=2)
    return path


@pytest.fixture
def certificate(path):
    """Return a valid path certificate whose issued PDF is ``FAKE_PDF``."""
    learner = UserFactory(
        id=LEARNER_ID, email="camille.secret@example.org", display_name="Camille Dupré"
    )
    cohort = CohortFactory(id=COHORT_ID, path=path, name="Promotion Printemps Cachée")
    return CertificateFactory(
        id=CERTIFICATE_ID,
        learner=learner,
        cohort=cohort,
        number="EBV-2025-7K3QX9PA",
        issued_at=datetime(2025, 10, 1, 9, 30, tzinfo=UTC),
        pdf_sha256=hashlib.sha256(FAKE_PDF).hexdigest(),
    )


def verify(client, code: str, suffix: str = ""):
    return client.get(f"/verify/{code}{suffix}")


def drop(client, content: bytes, filename: str = "certificat.pdf"):
    """Post a file to the check form."""
    return client.post(
        "/verify/check",
        data={"pdf": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def text_of(response) -> str:
    """Return the page's text without tags or repeated spaces."""
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# Codes -----------------------------------------------------------------------------------------


def test_codes_carry_at_least_128_random_bits_in_a_url_safe_alphabet():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", code)
        assert CODE_FORMAT.fullmatch(code)
        assert len(base64.urlsafe_b64decode(code)) * 8 >= 128  # 24 bytes: 192 bits
    # Every character of the alphabet turns up: the code is not drawn from a smaller set.
    assert len(set("".join(codes))) == 64


# The page --------------------------------------------------------------------------------------


def test_the_page_shows_what_a_valid_certificate_states(client, certificate):
    response = verify(client, certificate.code)
    assert response.status_code == 200
    text = text_of(response)
    assert "This certificate is valid." in text
    for fact in (
        "EBV-2025-7K3QX9PA",
        "Camille Dupré",
        "Entrepreneur·e du bien-vivre (version 3)",
        "Certificate of the whole path",
        "BC1 — Diagnostiquer un territoire",
        "BC2 — Mobiliser les acteurs",
        "October 1, 2025",
        "Institut du bien-vivre",
        certificate.pdf_sha256,
    ):
        assert fact in text, fact
    assert response.headers["Cache-Control"] == "no-store"


def test_the_page_shows_nothing_else_about_the_learner(client, certificate):
    for response in (verify(client, certificate.code), verify(client, certificate.code, ".json")):
        body = response.get_data(as_text=True)
        for secret in (
            "camille.secret@example.org",
            str(LEARNER_ID),
            str(CERTIFICATE_ID),
            str(COHORT_ID),
            "Promotion Printemps Cachée",
            "Claire Martin",  # the signatory is on the PDF, not a fact to verify
        ):
            assert secret not in body, secret
    facts = verify(client, certificate.code, ".json").get_json()
    assert not {key for key in facts if key == "id" or key.endswith("_id")}


def test_a_valid_certificate_offers_no_pdf_download(client, certificate):
    html = verify(client, certificate.code).get_data(as_text=True)
    assert "/pdf" not in html
    assert "/verify/check" in html  # the way to check a PDF the holder shared


def test_a_block_attestation_says_it_is_a_partial_validation_of_its_block(client, path):
    block = path.blocks[1]
    attestation = CertificateFactory(block=block, cohort=CohortFactory(path=path))
    text = text_of(verify(client, attestation.code))
    assert "Attestation of a block of competencies (partial validation of the path)" in text
    assert "BC2 — Mobiliser les acteurs" in text
    assert "BC1" not in text
    assert verify(client, attestation.code, ".json").get_json()["blocks"] == [
        {"code": "BC2", "title": "Mobiliser les acteurs"}
    ]


def test_a_revoked_certificate_says_when_not_why_and_offers_no_pdf(client, certificate):
    certificate.state = CertificateState.REVOKED
    certificate.revoked_at = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)
    certificate.revocation_reason = "Fraude constatée lors de la soutenance"
    db.session.commit()
    response = verify(client, certificate.code)
    assert response.status_code == 200
    text = text_of(response)
    assert "This certificate was revoked on February 3, 2026" in text
    assert "This certificate is valid." not in text
    assert "Fraude" not in text
    assert "/pdf" not in response.get_data(as_text=True)
    facts = verify(client, certificate.code, ".json").get_json()
    assert facts["state"] == "revoked"
    assert facts["revoked_at"].startswith("2026-02-03T10:00:00")
    assert "Fraude" not in json.dumps(facts)


def test_a_superseded_certificate_names_and_links_the_one_that_replaces_it(client, certificate):
    certificate.state = CertificateState.SUPERSEDED
    certificate.superseded_at = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    db.session.commit()
    replacement = CertificateFactory(
        learner=certificate.learner,
        cohort=certificate.cohort,
        number="EBV-2026-NEWCERT1",
        supersedes=certificate,
    )
    html = verify(client, certificate.code).get_data(as_text=True)
    assert "superseded on January 5, 2026 by certificate EBV-2026-NEWCERT1" in text_of(
        verify(client, certificate.code)
    )
    assert f'href="/verify/{replacement.code}"' in html
    facts = verify(client, certificate.code, ".json").get_json()
    assert facts["state"] == "superseded"
    assert facts["superseded_by"] == {
        "number": "EBV-2026-NEWCERT1",
        "code": replacement.code,
        "verification_url": f"http://localhost/verify/{replacement.code}",
    }
    assert "This certificate is valid." in text_of(verify(client, replacement.code))


def test_the_json_states_the_same_facts(client, certificate):
    response = verify(client, certificate.code, ".json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {
        "number": "EBV-2025-7K3QX9PA",
        "state": "valid",
        "kind": "path",
        "learner_name": "Camille Dupré",
        "path_title": "Entrepreneur·e du bien-vivre",
        "path_version": 3,
        "blocks": [
            {"code": "BC1", "title": "Diagnostiquer un territoire"},
            {"code": "BC2", "title": "Mobiliser les acteurs"},
        ],
        "issued_on": "2025-10-01",
        "organisation": "Institut du bien-vivre",
        "jury_on": None,
        "pdf_sha256": certificate.pdf_sha256,
        "revoked_at": None,
        "superseded_at": None,
        "superseded_by": None,
        "credential": None,  # issued before credentials existed
        "verification_url": f"http://localhost/verify/{certificate.code}",
    }


def test_the_json_links_on_the_public_address_not_the_requested_host(
    app, client, certificate, monkeypatch
):
    monkeypatch.setitem(app.config, "BASE_URL", "https://formation.example")
    answer = client.get(f"/verify/{certificate.code}.json", headers={"Host": "evil.example"})
    facts = answer.get_json()
    assert facts["verification_url"] == f"https://formation.example/verify/{certificate.code}"


XSS_NAME = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{7*7}}'


def test_markup_in_what_the_certificate_states_is_shown_as_text(client, path):
    path.title = "<b>Parcours</b> {{7*7}}"
    db.session.commit()
    certificate = CertificateFactory(
        learner=UserFactory(display_name=XSS_NAME),
        cohort=CohortFactory(path=path),
        number="EBV-2025-XSSXSSXS",
        pdf_sha256=hashlib.sha256(FAKE_PDF).hexdigest(),
    )
    for page in (verify(client, certificate.code), drop(client, FAKE_PDF)):
        html = page.get_data(as_text=True)
        assert "This certificate is valid." in html
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert "<b>Parcours" not in html
        assert "{{7*7}}" in html
        # Random values (code, fingerprint) aside, "49" would come from evaluating the markup.
        assert "49" not in html.replace(certificate.code, "").replace(certificate.pdf_sha256, "")
    html = verify(client, certificate.code).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{7*7}}" in html
    assert verify(client, certificate.code, ".json").get_json()["learner_name"] == XSS_NAME


# Unknown and malformed codes -------------------------------------------------------------------

UNKNOWN_CODES = (
    new_code(),  # well formed, never issued
    new_code()[:-1] + "A",
    "a" * 22,
    "x" * 5000,  # too long
    "abc",  # too short
    "..%2F..%2Fetc%2Fpasswd",
    "../../etc/passwd",
    "%00",
    "a%00b" + "c" * 30,
    "<script>alert(1)</script>",
    "%3Cscript%3E",
    "caf%C3%A9" + "e" * 30,
    "' OR '1'='1",
    "check.pdf",
    "check/x",
    "%20",
    "a/b/c",
)


def test_every_unknown_or_malformed_code_gets_the_same_404_page(client, certificate):
    bodies = set()
    for code in UNKNOWN_CODES:
        response = verify(client, code)
        assert response.status_code == 404, code
        assert response.headers["Cache-Control"] == "no-store"
        bodies.add(response.get_data())
    assert len(bodies) == 1
    (body,) = bodies
    assert b"Certificate not found" in body
    assert b"Camille" not in body


def test_every_unknown_or_malformed_code_gets_the_same_404_json(client, certificate):
    bodies = set()
    for code in UNKNOWN_CODES:
        response = verify(client, code, ".json")
        assert response.status_code == 404, code
        assert response.mimetype == "application/json"
        bodies.add(response.get_data())
    assert len(bodies) == 1
    assert json.loads(bodies.pop())["error"] == "not_found"


def test_the_404_page_is_identical_for_a_logged_in_visitor_with_csrf_on(
    app, client, certificate, csrf_enabled
):
    log_in(client, UserFactory())
    first, second = verify(client, new_code()), verify(client, "x" * 300)
    assert first.status_code == second.status_code == 404
    assert first.get_data() == second.get_data()
    assert b"csrf_token" not in first.get_data()


def test_a_code_differing_by_one_character_is_unknown(client, certificate):
    code = certificate.code
    twin = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert verify(client, twin).status_code == 404
    assert verify(client, code + "x").status_code == 404
    assert verify(client, code[:-1]).status_code == 404
    if code.swapcase() != code:  # codes are case-sensitive
        assert verify(client, code.swapcase()).status_code == 404


# Dropping the PDF ------------------------------------------------------------------------------


def test_the_check_form_asks_for_a_pdf(client):
    response = client.get("/verify/check")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html
    assert "A PDF file of at most 5 MB." in text_of(response)


def test_a_genuine_pdf_is_recognised_with_its_state_and_page(client, certificate):
    response = drop(client, FAKE_PDF)
    assert response.status_code == 200
    text = text_of(response)
    assert (
        "This file is certificate EBV-2025-7K3QX9PA, issued to Camille Dupré on October 1, 2025"
        in text
    )
    assert "This certificate is valid." in text
    assert f'href="/verify/{certificate.code}"' in response.get_data(as_text=True)


def test_a_genuine_pdf_of_a_revoked_certificate_says_revoked(client, certificate):
    certificate.state = CertificateState.REVOKED
    certificate.revoked_at = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)
    certificate.revocation_reason = "Erreur"
    db.session.commit()
    text = text_of(drop(client, FAKE_PDF))
    assert "This certificate was revoked on February 3, 2026" in text


def test_altered_and_never_issued_pdfs_get_the_same_answer(client, certificate):
    altered = FAKE_PDF.replace(b"issued", b"forged")
    stranger = b"%PDF-1.4\n" + b"y" * 100
    answers = [drop(client, content) for content in (altered, stranger)]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].get_data() == answers[1].get_data()
    text = text_of(answers[0])
    assert "This file does not match any certificate we issued" in text
    assert "Camille" not in text


def test_a_file_that_is_not_a_pdf_is_refused_with_a_clear_message(client, certificate):
    for content, name in (
        (b"GIF89a....", "photo.pdf"),
        (b"", "empty.pdf"),
        (b"PK\x03\x04", "a.zip"),
    ):
        text = text_of(drop(client, content, name))
        assert "This file is not a PDF." in text
        assert "does not match" not in text


def test_no_file_is_refused_with_a_clear_message(client):
    response = client.post("/verify/check", data={"pdf": "not a file"})
    assert response.status_code == 200
    assert "Choose the PDF file of the certificate." in text_of(response)


def test_a_file_over_the_size_limit_is_refused(app, client, certificate, monkeypatch):
    # Small sizes: the test client spools larger bodies to files it leaves open.
    monkeypatch.setitem(app.config, "CERTIFICATE_CHECK_MAX_BYTES", 200 * 1024)
    assert "A PDF file of at most 0.2 MB." in text_of(client.get("/verify/check"))
    text = text_of(drop(client, b"%PDF-" + b"z" * (200 * 1024)))
    assert "This file is larger than 0.2 MB: it cannot be a certificate." in text
    assert "does not match" not in text


def test_a_request_over_the_upload_limit_gets_413(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    response = drop(client, b"%PDF-" + b"z" * (128 * 1024))
    assert response.status_code == 413


def test_a_dropped_file_is_not_kept(app, client, certificate):
    from pathlib import Path

    def files() -> set[Path]:
        return {p for p in Path(app.instance_path).rglob("*") if p.is_file()}

    before = files()
    drop(client, FAKE_PDF)
    drop(client, b"%PDF-other")
    assert files() == before


def test_the_check_form_refuses_a_post_without_its_csrf_token(client, certificate, csrf_enabled):
    assert drop(client, FAKE_PDF).status_code == 400
    token = csrf_token_of(client.get("/verify/check").get_data(as_text=True))
    answer = client.post(
        "/verify/check",
        data={"pdf": (io.BytesIO(FAKE_PDF), "certificat.pdf"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert "This file is certificate EBV-2025-7K3QX9PA" in text_of(answer)


def test_a_real_issued_certificate_pdf_is_recognised(app, client):
    from lms.certificates import decisions, issuing
    from lms.certificates.models import DecisionOutcome
    from tests.certificates.helpers import make_certificate_world

    world = make_certificate_world()
    learner = world.eligible_learner(display_name="Inès Réelle")
    decisions.record_decision(
        world.cohort, learner, outcome=DecisionOutcome.AWARDED, reason="", decided_by=world.admin
    )
    certificate = issuing.issue_certificate(world.cohort, learner, issued_by=world.admin)
    db.session.commit()
    assert CODE_FORMAT.fullmatch(certificate.code)
    assert len(base64.urlsafe_b64decode(certificate.code)) * 8 >= 128
    with issuing.open_certificate_pdf(certificate) as stream:
        pdf = stream.read()
    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
    text = text_of(drop(client, pdf))
    assert f"This file is certificate {certificate.number}, issued to Inès Réelle" in text
    assert "does not match" not in text_of(drop(client, pdf))
    middle = len(pdf) // 2
    tampered = pdf[:middle] + bytes([pdf[middle] ^ 1]) + pdf[middle + 1 :]  # one bit changed
    assert "does not match any certificate" in text_of(drop(client, tampered))
    page = text_of(verify(client, certificate.code))
    assert "Inès Réelle" in page
    assert certificate.pdf_sha256 in page


# Rate limits -----------------------------------------------------------------------------------


def test_verification_is_rate_limited_per_address(app, client, certificate, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_VERIFY", "4 per minute")
    answers = [
        verify(client, certificate.code).status_code,
        verify(client, certificate.code, ".json").status_code,
        verify(client, new_code()).status_code,
        client.get("/verify/check").status_code,
    ]
    assert answers == [200, 200, 404, 200]
    refused = verify(client, certificate.code, ".json")
    assert refused.status_code == 429
    assert "Too many requests" in refused.get_data(as_text=True)
    assert "Retry-After" in refused.headers
    assert "Camille" not in refused.get_data(as_text=True)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    assert verify(other, certificate.code).status_code == 200


def test_dropped_files_have_a_smaller_limit(app, client, certificate, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_VERIFY_CHECK", "2 per minute")
    assert [drop(client, FAKE_PDF).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/verify/check").status_code == 200  # reading the form is not checking


def test_a_certificate_from_a_jury_names_the_jury_s_date_on_its_page_and_in_json(
    client, certificate
):
    certificate.document = {**certificate.document, "jury_on": "2025-09-12"}
    db.session.commit()
    page = text_of(verify(client, certificate.code))
    assert "Decision of the certification jury September 12, 2025" in page
    assert verify(client, certificate.code, ".json").get_json()["jury_on"] == "2025-09-12"


def test_a_certificate_without_a_jury_says_nothing_of_one(client, certificate):
    assert "certification jury" not in text_of(verify(client, certificate.code))
