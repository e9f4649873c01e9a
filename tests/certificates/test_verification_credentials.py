"""Verification with credentials: the list's status on a certificate's page, a pasted credential.

A certificate issued with an Open Badges credential shows, on its page and in its JSON, the
status our revocation list gives its credential and where the credential is served. A pasted
credential is checked for its proof and status; what is wrong with the text itself is said
beside the field (SECURITY.md D19: never a 500).
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.certificates.credentials import status
from lms.certificates.models import CertificateState
from lms.certificates.revocation import reissue_certificate, revoke_certificate
from lms.core import dataintegrity
from lms.extensions import db
from tests.certificates.credentials.support import (
    LEARNER_EMAIL,
    credential_document,
    issued_for_real,
    sign,
)
from tests.certificates.helpers import make_certificate_world
from tests.certificates.test_verification import text_of, verify
from tests.web.helpers import csrf_token_of


@pytest.fixture
def world():
    return make_certificate_world()


@pytest.fixture
def certificate(world):
    """Return a certificate issued for real: its PDF carries its signed credential."""
    return issued_for_real(world)


def paste(client, text: str):
    return client.post("/verify/check", data={"credential": text})


def field_errors(response) -> str:
    """Return the text of the errors shown beside the credential field."""
    html = response.get_data(as_text=True)
    start = html.find('id="credential-errors"')
    return text_of_html(html[start : html.find("</ul>", start)]) if start >= 0 else ""


def text_of_html(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# The certificate's page --------------------------------------------------------------------------


def test_the_page_and_json_give_the_credential_s_status_and_address(client, certificate):
    page = verify(client, certificate.code)
    text = text_of(page)
    assert "Our revocation list says this credential is not revoked." in text
    link = f"http://localhost/credentials/{certificate.code}.json"
    assert f'href="{link}"' in page.get_data(as_text=True)
    facts = verify(client, certificate.code, ".json").get_json()
    assert facts["credential"] == {"status": "valid", "url": link}
    assert client.get(link).status_code == 200


def test_a_revoked_certificate_s_page_reads_the_set_bit(client, certificate, world):
    revoke_certificate(certificate, revoked_by=world.admin, reason="Fraude.")
    db.session.commit()
    text = text_of(verify(client, certificate.code))
    assert "This certificate was revoked on" in text
    assert "Our revocation list says this credential is revoked" in text
    assert verify(client, certificate.code, ".json").get_json()["credential"]["status"] == "revoked"


def test_the_status_shown_is_the_list_s_bit(client, certificate):
    """Set the bit alone (the certificate row untouched): the page says what the list says."""
    status.mark_revoked(certificate.credential)
    db.session.commit()
    text = text_of(verify(client, certificate.code))
    assert "This certificate is valid." in text
    assert "Our revocation list says this credential is revoked" in text


def test_a_superseded_certificate_s_credential_is_revoked_and_not_offered(
    client, certificate, world
):
    reissue_certificate(certificate, issued_by=world.admin, reason="Nom corrigé.")
    db.session.commit()
    facts = verify(client, certificate.code, ".json").get_json()
    assert facts["credential"] == {"status": "revoked", "url": None}
    assert "/credentials/" not in verify(client, certificate.code).get_data(as_text=True)


def test_the_page_and_json_still_show_no_email_and_no_internal_id(client, certificate):
    for response in (verify(client, certificate.code), verify(client, certificate.code, ".json")):
        body = response.get_data(as_text=True)
        assert LEARNER_EMAIL not in body
        assert "identityHash" not in body
        assert f"/status/{certificate.credential.status_list_id}" not in body


# Pasting a credential -----------------------------------------------------------------------------


def test_the_check_page_offers_a_field_for_a_credential(client):
    html = client.get("/verify/check").get_data(as_text=True)
    assert re.search(r'<textarea [^>]*name="credential"', html)
    assert "The JSON text of the credential, at most 64 KB." in text_of_html(html)


def test_a_pasted_credential_of_ours_is_valid_with_its_status_and_page(client, certificate):
    answer = paste(client, json.dumps(certificate.credential.document))
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    text = text_of(answer)
    assert "Credential issued by us, unaltered" in text
    assert "Its proof is valid: we signed it on" in text
    assert "Our revocation list says this credential is not revoked." in text
    assert f'href="/verify/{certificate.code}"' in answer.get_data(as_text=True)
    assert LEARNER_EMAIL not in answer.get_data(as_text=True)


def test_a_pasted_credential_of_a_revoked_certificate_says_revoked(client, certificate, world):
    document = json.dumps(certificate.credential.document)
    revoke_certificate(certificate, revoked_by=world.admin, reason="Erreur.")
    db.session.commit()
    text = text_of(paste(client, document))
    assert "Credential issued by us, unaltered" in text
    assert "Our revocation list says this credential is revoked" in text


def test_a_credential_reformatted_with_keys_in_another_order_is_still_ours(client, certificate):
    document = certificate.credential.document
    reordered = {key: document[key] for key in reversed(list(document))}
    assert "Credential issued by us, unaltered" in text_of(
        paste(client, json.dumps(reordered, indent=4))
    )


def altered(document: dict, change) -> str:
    copied = copy.deepcopy(document)
    change(copied)
    return json.dumps(copied)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.__setitem__("name", d["name"] + " (avec mention)"),
        lambda d: d["credentialSubject"].__setitem__("type", ["AchievementSubject", "Other"]),
        lambda d: d.__setitem__("validFrom", "2020-01-01T00:00:00Z"),
        lambda d: d["proof"][0].__setitem__("created", "2020-01-01T00:00:00Z"),
        lambda d: d.__setitem__("evidence", []),
    ],
)
def test_any_change_to_a_credential_of_ours_is_reported_altered(client, certificate, change):
    answer = paste(client, altered(certificate.credential.document, change))
    text = text_of(answer)
    assert "Altered" in text
    assert "This credential differs from the one we issued" in text
    assert "Credential issued by us, unaltered" not in text
    assert f'href="/verify/{certificate.code}"' not in answer.get_data(as_text=True)


def test_a_credential_without_proof_says_so(client, certificate):
    unsigned = altered(certificate.credential.document, lambda d: d.pop("proof"))
    text = text_of(paste(client, unsigned))
    assert "This credential carries no proof: nothing shows who issued it." in text


def test_a_credential_signed_by_another_key_is_not_checked_and_says_why(client, certificate):
    unsigned = {k: v for k, v in certificate.credential.document.items() if k != "proof"}
    foreign = dataintegrity.sign(
        unsigned,
        Ed25519PrivateKey.generate(),
        "https://issuer.example/keys/1",
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    text = text_of(paste(client, json.dumps(foreign)))
    assert "This credential was signed with a key that is not ours" in text
    assert "Credential issued by us" not in text


def test_a_credential_of_our_key_at_an_entry_we_never_handed_out_is_not_ours(client, certificate):
    entry = certificate.credential
    forged = sign(credential_document(entry.status_list_id, entry.status_index + 500))
    text = text_of(paste(client, json.dumps(forged)))
    assert "we issued no credential at the place it gives in our revocation list" in text


def test_a_credential_naming_a_context_we_do_not_bundle_is_refused_with_its_name(
    client, certificate
):
    document = certificate.credential.document
    contexts = [*document["@context"], "https://evil.example/context.jsonld"]
    text = text_of(paste(client, json.dumps({**document, "@context": contexts})))
    refused = "relies on a JSON-LD context we do not hold"
    assert f"{refused} (https://evil.example/context.jsonld)" in text
    inline = {**document, "credentialSubject": {"@context": {"x": "urn:x"}, "x": 1}}
    assert refused in text_of(paste(client, json.dumps(inline)))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste the JSON text of the credential."),
        ("   ", "Paste the JSON text of the credential."),
        ("{not json", "This text is not valid JSON"),
        ('{"a": NaN}', "This text is not valid JSON"),
        ('{"a": 1e999}', "This text is not valid JSON"),
        ("[1, 2, 3]", "This JSON is not a credential: a credential is an object"),
        ('"a string"', "This JSON is not a credential"),
        ("null", "This JSON is not a credential"),
        ("[" * 100_000 + "]" * 100_000, "longer than 64 KB"),
        ("[" * 30_000 + "]" * 30_000, "This text is not valid JSON"),  # past Python's recursion
        ('{"a":' * 40 + "1" + "}" * 40, "nested too deeply"),
        ('{"a": [' + ",".join(["0"] * 25_000) + "]}", "holds too many values"),
        ('{"a": "' + "é" * 40_000 + '"}', "longer than 64 KB"),  # 80,000 bytes in UTF-8
    ],
)
def test_text_that_is_not_a_credential_gets_an_error_beside_the_field(client, text, message):
    answer = paste(client, text)
    assert answer.status_code == 200
    assert message in field_errors(answer)
    assert "What we found in this credential" not in text_of(answer)


def test_the_pasted_text_is_kept_in_the_field_after_an_error(client):
    html = paste(client, '{"name": "<b>x</b>"').get_data(as_text=True)
    assert "{&#34;name&#34;: &#34;&lt;b&gt;x&lt;/b&gt;&#34;" in html or "&lt;b&gt;" in html
    assert "<b>x</b>" not in html


def test_pasting_shares_the_smaller_budget_of_checks(app, client, certificate, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_VERIFY_CHECK", "2 per minute")
    document = json.dumps(certificate.credential.document)
    assert [paste(client, document).status_code for _ in range(2)] == [200, 200]
    refused = paste(client, document)
    assert refused.status_code == 429
    assert refused.headers["Cache-Control"] == "no-store"


def test_pasting_without_the_csrf_token_is_refused(client, certificate, csrf_enabled):
    document = json.dumps(certificate.credential.document)
    assert paste(client, document).status_code == 400
    token = csrf_token_of(client.get("/verify/check").get_data(as_text=True))
    answer = client.post("/verify/check", data={"credential": document, "csrf_token": token})
    assert "Credential issued by us, unaltered" in text_of(answer)


def test_the_superseded_certificate_s_credential_is_revoked_and_names_its_page(
    client, certificate, world
):
    document = json.dumps(certificate.credential.document)
    reissue_certificate(certificate, issued_by=world.admin, reason="Nom corrigé.")
    db.session.commit()
    answer = paste(client, document)
    assert "Our revocation list says this credential is revoked" in text_of(answer)
    assert f'href="/verify/{certificate.code}"' in answer.get_data(as_text=True)
    assert certificate.state == CertificateState.SUPERSEDED
