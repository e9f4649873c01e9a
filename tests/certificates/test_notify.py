"""E-mails to the learner about their certificate, through a real SMTP server on loopback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale, gettext

from lms.certificates.models import CertificateState
from lms.certificates.notify import notify_issued, notify_reissued, notify_revoked
from lms.extensions import db
from tests.factories import (
    CertificateFactory,
    CohortFactory,
    CompetencyBlockFactory,
    TrainingPathFactory,
    UserFactory,
)
from tests.smtp import body_of, free_port

TITLE = "Entrepreneur·e du bien-vivre"


@pytest.fixture
def cohort():
    """Return a cohort on a path of two blocks."""
    path = TrainingPathFactory(title=TITLE, certifier="Institut du bien-vivre")
    CompetencyBlockFactory(path=path, code="BC1", title="Diagnostiquer un territoire", position=1)
    CompetencyBlockFactory(path=path, code="BC2", title="Mobiliser les acteurs", position=2)
    return CohortFactory(path=path)


def certificate_of(cohort, locale: str = "en", **fields):
    """Return a valid certificate of a new learner writing in ``locale``."""
    learner = UserFactory(locale=locale, display_name=fields.pop("name", "Camille Dupré"))
    return CertificateFactory(
        learner=learner,
        cohort=cohort,
        issued_at=datetime(2025, 10, 1, 9, 0, tzinfo=UTC),
        **fields,
    )


def revoke(certificate) -> None:
    certificate.state = CertificateState.REVOKED
    certificate.revoked_at = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)
    certificate.revocation_reason = "La soutenance a été annulée."
    db.session.commit()


def test_an_english_learner_hears_of_the_issue_in_english_with_both_links(cohort, smtp_server):
    certificate = certificate_of(cohort, number="EBV-2025-ISSUED01")
    assert notify_issued(certificate) is True
    (message,) = smtp_server
    assert message["To"] == certificate.learner.email
    assert message["Subject"] == f"Your certificate for “{TITLE}” is issued"
    body = body_of(message)
    assert "Hello Camille Dupré," in body
    assert (
        f"Your certificate of the path “{TITLE}” was issued on October 1, 2025"
        " under number EBV-2025-ISSUED01." in body
    )
    assert f"http://localhost/verify/{certificate.code}" in body
    assert "http://localhost/certificates" in body.splitlines()  # where to download the PDF


def test_a_french_learner_hears_of_the_issue_in_french(cohort, smtp_server):
    certificate = certificate_of(cohort, locale="fr", number="EBV-2025-ISSUED02")
    notify_issued(certificate)
    (message,) = smtp_server
    with force_locale("fr"):
        subject = gettext("Your certificate for “%(title)s” is issued", title=TITLE)
    assert message["Subject"] == subject != f"Your certificate for “{TITLE}” is issued"
    body = body_of(message)
    assert "Bonjour Camille Dupré," in body
    assert "1er octobre 2025" in body
    assert "EBV-2025-ISSUED02" in body
    assert f"/verify/{certificate.code}" in body
    assert "Download" not in body
    assert "issued" not in body


def test_a_block_attestation_says_so_and_names_its_block(cohort, smtp_server):
    block = cohort.path.blocks[1]
    notify_issued(certificate_of(cohort, block=block, number="EBV-2025-BLOCK001"))
    body = body_of(smtp_server[0])
    assert "Your attestation of the block “BC2 — Mobiliser les acteurs”" in body
    assert "a partial validation of the path" in body


def test_a_revoked_certificate_mail_says_when_and_why(cohort, smtp_server):
    certificate = certificate_of(cohort, locale="fr", number="EBV-2025-REVOKED1")
    revoke(certificate)
    assert notify_revoked(certificate) is True
    (message,) = smtp_server
    with force_locale("fr"):
        subject = gettext("Your certificate for “%(title)s” was revoked", title=TITLE)
    assert message["Subject"] == subject
    body = body_of(message)
    assert "3 février 2026" in body
    assert "La soutenance a été annulée." in body
    assert "EBV-2025-REVOKED1" in body
    assert f"/verify/{certificate.code}" in body
    assert "http://localhost/certificates" not in body.splitlines()  # nothing to download


def test_a_reissued_certificate_mail_names_both_and_links_the_new_one(cohort, smtp_server):
    old = certificate_of(cohort, number="EBV-2025-OLDCERT1")
    old.state = CertificateState.SUPERSEDED
    old.superseded_at = datetime(2026, 1, 5, tzinfo=UTC)
    db.session.commit()
    new = CertificateFactory(
        learner=old.learner,
        cohort=cohort,
        number="EBV-2026-NEWCERT1",
        supersedes=old,
        issued_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
    )
    assert notify_reissued(new, old) is True
    body = body_of(smtp_server[0])
    assert smtp_server[0]["Subject"] == f"A new certificate for “{TITLE}” replaces the previous one"
    assert "under number EBV-2026-NEWCERT1. It replaces certificate EBV-2025-OLDCERT1" in body
    assert f"http://localhost/verify/{new.code}" in body
    assert old.code not in body
    assert "http://localhost/certificates" in body.splitlines()


def test_markup_in_the_name_reaches_the_plain_text_mail_as_it_is(cohort, smtp_server):
    name = '<script>alert(1)</script> "Zoé" {{7*7}} &amp;'
    certificate = certificate_of(cohort, name=name)
    notify_issued(certificate)
    body = body_of(smtp_server[0])
    assert f"Hello {name}," in body
    assert "&lt;" not in body
    # The random code and the factory's sequence number may contain "49" by chance.
    generated = body.replace(certificate.code, "").replace(certificate.number, "")
    assert "49" not in generated


def test_a_line_break_in_a_name_or_title_cannot_add_a_header(cohort, smtp_server):
    cohort.path.title = "Parcours\r\nBcc: intrus@evil.example"
    db.session.commit()
    certificate = certificate_of(cohort, name="Eve\r\nBcc: intrus@evil.example\r\n\r\nHi")
    assert notify_issued(certificate) is True
    (message,) = smtp_server
    assert message["Bcc"] is None
    assert message["X-Envelope-To"] == certificate.learner.email
    assert (
        message["Subject"] == "Your certificate for “Parcours Bcc: intrus@evil.example” is issued"
    )


def test_a_refused_mail_is_logged_and_undoes_nothing(app, cohort, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)
    certificate = certificate_of(cohort)
    assert notify_issued(certificate) is False
    assert "certificate mail 'issued'" in caplog.text
    db.session.expire_all()
    assert certificate.is_valid
