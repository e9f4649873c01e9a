"""Dropping a PDF: its fingerprint, its signatures and its embedded credential, each in words.

The files come from anyone: truncated, garbled, signed by someone else, carrying a huge or
hostile ``credential.json``. Each gets a clear answer, never a 500 (SECURITY.md D19), and the
answers say nothing the certificate's verification page does not (SECURITY.md G30).
"""

from __future__ import annotations

import json
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.certificates import issuing
from lms.certificates.revocation import revoke_certificate
from lms.core.pades import reset_signing_cache
from lms.extensions import db
from tests.certificates.credentials.support import (
    LEARNER_EMAIL,
    issued_for_real,
    pdf_carrying,
    replace_attachment,
)
from tests.certificates.helpers import make_certificate_world
from tests.certificates.test_verification import drop, text_of
from tests.signing import PASSPHRASE, write_identity

NO_SIGNATURE = "This file carries no electronic signature."
NO_CREDENTIAL = "This file carries no Open Badges credential."
UNREADABLE = "This file could not be read to look for a credential"
UNREADABLE_CREDENTIAL = "is not a credential we can read"
TOO_LARGE = "is far larger than ours"


@pytest.fixture
def world():
    return make_certificate_world()


@pytest.fixture
def no_rate_limits(app, monkeypatch):
    """Let a fuzzing test send as many checks as it likes."""
    monkeypatch.setitem(app.config, "RATELIMIT_VERIFY", "100000 per minute")
    monkeypatch.setitem(app.config, "RATELIMIT_VERIFY_CHECK", "100000 per minute")


def issue(world):
    certificate = issued_for_real(world)
    with issuing.open_certificate_pdf(certificate) as stream:
        return certificate, stream.read()


@pytest.fixture
def signed(world, signing):
    """Return a certificate issued with our (development) signing identity, and its PDF."""
    return issue(world)


def test_a_signed_certificate_is_recognised_with_its_signature_and_credential(client, signed):
    certificate, pdf = signed
    answer = drop(client, pdf)
    assert answer.headers["Cache-Control"] == "no-store"
    text = text_of(answer)
    assert f"This file is certificate {certificate.number}, issued to Inès Réelle" in text
    assert "Valid signature" in text
    assert "Signed by Bien-vivre SCIC on" in text
    assert "The document has not changed since it was signed." in text
    assert "It was signed with our organisation's certificate: the signature is ours." in text
    assert "Your PDF reader may call this signature “not trusted”" in text
    assert "Credential issued by us, unaltered" in text
    assert "Our revocation list says this credential is not revoked." in text
    body = answer.get_data(as_text=True)
    assert body.count(f'href="/verify/{certificate.code}"') == 1  # one link to its page
    assert LEARNER_EMAIL not in body
    assert "identityHash" not in body
    assert f"/credentials/status/{certificate.credential.status_list_id}" not in body


def test_one_changed_byte_breaks_the_fingerprint_and_the_signature(client, signed):
    _certificate, pdf = signed
    middle = len(pdf) // 3
    tampered = pdf[:middle] + bytes([pdf[middle] ^ 1]) + pdf[middle + 1 :]
    text = text_of(drop(client, tampered))
    assert "This file does not match any certificate we issued" in text
    assert "This signature does not prove the document" in text
    assert "The document was changed after it was signed: this signature no longer holds." in text
    assert "Valid signature" not in text


def test_a_pdf_signed_by_someone_else_says_the_signature_is_not_ours(
    app, world, client, development_identity, monkeypatch, tmp_path
):
    stranger = write_identity(tmp_path, organisation="Bien-vivre SCIC")  # the same name, not us
    monkeypatch.setitem(app.config, "SIGNING_PKCS12", str(stranger))
    monkeypatch.setitem(app.config, "SIGNING_PKCS12_PASSPHRASE", PASSPHRASE)
    reset_signing_cache()
    try:
        _certificate, pdf = issue(world)
    finally:
        monkeypatch.setitem(app.config, "SIGNING_PKCS12", str(development_identity.pkcs12))
        monkeypatch.setitem(app.config, "SIGNING_PKCS12_PASSPHRASE", None)
        reset_signing_cache()
    text = text_of(drop(client, pdf))
    assert "Signed by Bien-vivre SCIC on" in text
    assert "The document has not changed since it was signed." in text
    assert "It was not signed with our organisation's certificate" in text
    assert "nothing we know confirms it" in text
    assert "This signature does not prove the document" in text
    assert "Your PDF reader may call" not in text


def test_an_unsigned_certificate_says_it_has_no_signature_and_checks_its_credential(world, client):
    _certificate, pdf = issue(world)
    text = text_of(drop(client, pdf))
    assert NO_SIGNATURE in text
    assert "Credential issued by us, unaltered" in text


def test_a_revoked_certificate_s_pdf_says_the_credential_is_revoked(client, signed, world):
    certificate, pdf = signed
    revoke_certificate(certificate, revoked_by=world.admin, reason="Fraude.")
    db.session.commit()
    text = text_of(drop(client, pdf))
    assert "This certificate was revoked on" in text
    assert "Our revocation list says this credential is revoked" in text


def test_a_pdf_whose_credential_was_altered_says_so(client, signed):
    certificate, pdf = signed
    document = dict(certificate.credential.document, name="Diplôme d'État")
    text = text_of(drop(client, replace_attachment(pdf, json.dumps(document).encode())))
    assert "This file does not match any certificate we issued" in text
    assert "This credential differs from the one we issued" in text
    assert "Credential issued by us" not in text


def test_a_pdf_carrying_a_credential_of_ours_is_checked_whatever_else_it_holds(client, signed):
    certificate, _pdf = signed
    text = text_of(drop(client, pdf_carrying(json.dumps(certificate.credential.document).encode())))
    assert "This file does not match any certificate we issued" in text
    assert NO_SIGNATURE in text
    assert "Credential issued by us, unaltered" in text  # the credential proves itself


def deflate_bomb() -> bytes:
    """Return a PDF whose credential.json is 32 KB compressed and 32 MB once decompressed."""
    import io

    import pikepdf

    pdf = pikepdf.Pdf.open(io.BytesIO(pdf_carrying(b"{}")))
    stream = pdf.Root.AF[0].EF.F
    stream.write(zlib.compress(b" " * (32 * 1024 * 1024), 9), filter=pikepdf.Name.FlateDecode)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


CORPUS = {
    "no credential": (pdf_carrying(None), NO_CREDENTIAL),
    "not json": (pdf_carrying(b"not json {"), UNREADABLE_CREDENTIAL),
    "json that is not an object": (pdf_carrying(b"[1, 2, 3]"), UNREADABLE_CREDENTIAL),
    "deep nesting": (pdf_carrying(b"[" * 5000 + b"]" * 5000), UNREADABLE_CREDENTIAL),
    "huge attachment": (pdf_carrying(b"{" + b" " * (3 * 1024 * 1024) + b"}"), TOO_LARGE),
    "compression bomb": (deflate_bomb(), TOO_LARGE),
    "unbundled context": (
        pdf_carrying(json.dumps({"@context": ["https://evil.example/c.jsonld"]}).encode()),
        "relies on a JSON-LD context we do not hold (https://evil.example/c.jsonld)",
    ),
    "another attachment only": (pdf_carrying(b"{}", name="notes.json"), NO_CREDENTIAL),
    "header only": (b"%PDF-1.7\n", UNREADABLE),
    "garbage": (b"%PDF-1.7\n" + bytes(range(256)) * 40, UNREADABLE),
    "truncated": (pdf_carrying(b"{}")[:300], UNREADABLE),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_odd_file_gets_a_plain_answer(client, name):
    content, sentence = CORPUS[name]
    answer = drop(client, content)
    assert answer.status_code == 200
    text = text_of(answer)
    assert sentence in text
    assert "What we found in this file" in text


def test_a_truncated_signed_certificate_gets_a_plain_answer(client, signed):
    _certificate, pdf = signed
    for cut in (len(pdf) // 4, len(pdf) // 2, len(pdf) - 100):
        answer = drop(client, pdf[:cut])
        assert answer.status_code == 200
        assert "This file does not match any certificate we issued" in text_of(answer)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.binary(max_size=3000))
def test_fuzzed_pdfs_never_get_a_server_error(client, no_rate_limits, tail):
    for content in (b"%PDF-1.7\n" + tail, pdf_carrying(b"{}")[:200] + tail):
        assert drop(client, content).status_code == 200


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["@context", "proof", "credentialStatus", "id", "type", "@id", "x"])
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=40,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(JSON_VALUES)
def test_fuzzed_credentials_never_get_a_server_error(client, no_rate_limits, value):
    for text in (json.dumps(value), json.dumps({"proof": value, "credentialStatus": value})):
        assert client.post("/verify/check", data={"credential": text}).status_code == 200
        assert drop(client, pdf_carrying(text.encode())).status_code == 200


def with_an_update(data: bytes) -> bytes:
    """Return the PDF with an incremental update after its signature (its language changed)."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.root["/Lang"] = generic.TextStringObject("de")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_content_added_after_the_signature_is_said(client, signed):
    _certificate, pdf = signed
    text = text_of(drop(client, with_an_update(pdf)))
    assert "This file does not match any certificate we issued" in text
    assert "content was added to the file after the signature" in text
    assert "This signature does not prove the document" in text
