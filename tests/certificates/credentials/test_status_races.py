"""The status list under real concurrency (SECURITY.md J44), on SQLite and PostgreSQL.

Revocations and issuances all write the same row (the list's bits and its next free index), so
each takes the list's lock (``FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) and
reads the list afresh under it: two revocations at once must both land (no lost bit, both in the
signed list), and issuances at once must never share an index.
"""

from __future__ import annotations

import pytest

from lms.certificates.credentials import keys, status
from lms.certificates.credentials.models import IssuedCredential, StatusList
from lms.certificates.models import Certificate, CertificateState
from lms.core import dataintegrity
from lms.extensions import db
from tests.certificates.credentials.support import issue_credential
from tests.factories import CertificateFactory, UserFactory
from tests.live import at_once, logged_in

ISSUES = 10


def signed_bits(status_list_id: int) -> bytes:
    db.session.expire_all()
    status_list = db.session.get(StatusList, status_list_id)
    assert status_list.signed_version == status_list.version
    assert dataintegrity.verify(status_list.signed, keys.public_key_for).valid
    return status.decode_bits(status_list.signed["credentialSubject"]["encodedList"])


def test_two_administrators_revoking_two_certificates_at_once_both_land(
    app, live_server, monkeypatch
):
    monkeypatch.setitem(app.config, "BASE_URL", "https://formation.example")
    certificates = [CertificateFactory(), CertificateFactory()]
    issued = [issue_credential(certificate) for certificate in certificates]
    admins = [UserFactory(is_admin=True), UserFactory(is_admin=True)]
    db.session.commit()
    browsers = [logged_in(app, live_server, admin) for admin in admins]
    urls = [f"/admin/certificates/{certificate.id}/revoke" for certificate in certificates]
    data = {"reason": "Délivré par erreur.", "confirm": "y"}

    answers = at_once(
        [
            lambda browser=browser, url=url: browser.post(url, data)
            for browser, url in zip(browsers, urls, strict=True)
        ]
    )

    assert [answer.status for answer in answers] == [302, 302]
    db.session.expire_all()
    assert {c.state for c in db.session.scalars(db.select(Certificate))} == {
        CertificateState.REVOKED
    }
    bits = signed_bits(issued[0].status_list_id)
    assert [status.is_set(bits, entry.status_index) for entry in issued] == [True, True]
    assert db.session.get(StatusList, issued[0].status_list_id).version == 2


def test_issuances_at_once_never_share_an_index(app):
    certificate_ids = [CertificateFactory().id for _ in range(ISSUES)]
    status.allocate_entry()  # the list exists: every thread competes for its next index
    db.session.commit()

    def issue(certificate_id: int):
        def run() -> int:
            with app.app_context():
                try:
                    issued = issue_credential(db.session.get(Certificate, certificate_id))
                    db.session.commit()
                    return issued.status_index
                finally:
                    db.session.remove()

        return run

    indices = at_once([issue(certificate_id) for certificate_id in certificate_ids])

    assert sorted(indices) == list(range(1, ISSUES + 1))
    db.session.expire_all()
    rows = list(db.session.scalars(db.select(IssuedCredential)))
    assert len({row.status_index for row in rows}) == ISSUES
    assert db.session.scalar(db.select(StatusList)).next_index == ISSUES + 1


@pytest.mark.parametrize("revocations", [1, 3])
def test_revocations_and_issuances_at_once_lose_neither_a_bit_nor_an_index(app, revocations):
    revoked = [CertificateFactory() for _ in range(revocations)]
    revoked_entries = [issue_credential(certificate) for certificate in revoked]
    newcomers = [CertificateFactory().id for _ in range(ISSUES - revocations)]
    admin_id = UserFactory(is_admin=True).id
    db.session.commit()

    def revoke(certificate_id: int):
        def run() -> str:
            from lms.accounts.models import User
            from lms.certificates.revocation import revoke_certificate

            with app.app_context():
                try:
                    revoke_certificate(
                        db.session.get(Certificate, certificate_id),
                        revoked_by=db.session.get(User, admin_id),
                        reason="Erreur.",
                    )
                    db.session.commit()
                    return "revoked"
                finally:
                    db.session.remove()

        return run

    def issue(certificate_id: int):
        def run() -> str:
            with app.app_context():
                try:
                    issue_credential(db.session.get(Certificate, certificate_id))
                    db.session.commit()
                    return "issued"
                finally:
                    db.session.remove()

        return run

    revoked_ids = [certificate.id for certificate in revoked]
    results = at_once([revoke(c) for c in revoked_ids] + [issue(c) for c in newcomers])

    assert sorted(results) == sorted(["revoked"] * revocations + ["issued"] * len(newcomers))
    bits = signed_bits(revoked_entries[0].status_list_id)
    rows = list(db.session.scalars(db.select(IssuedCredential)))
    assert len({row.status_index for row in rows}) == ISSUES
    revoked_indices = {entry.status_index for entry in revoked_entries}
    for row in rows:
        assert status.is_set(bits, row.status_index) == (row.status_index in revoked_indices)
