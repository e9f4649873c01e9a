"""The published revocation list: a signed BitstringStatusListCredential, served with caching."""

from __future__ import annotations

import base64
import gzip
import json
import time

import pytest

from lms.certificates.credentials import keys, status
from lms.certificates.credentials.models import STATUS_LIST_SIZE, StatusList
from lms.core import dataintegrity
from lms.core.time import utcnow
from lms.extensions import db
from tests.certificates.credentials.support import issue_credential
from tests.factories import CertificateFactory


def a_list() -> StatusList:
    status_list, _index = status.allocate_entry()
    db.session.commit()
    return status_list


def proof_of(document) -> dataintegrity.ProofCheck:
    return dataintegrity.verify(document, keys.public_key_for)


def bit(document, index: int) -> bool:
    return status.is_set(status.decode_bits(document["credentialSubject"]["encodedList"]), index)


def flip(status_list: StatusList, index: int) -> None:
    """Set one bit as revocation does (the credential row is not needed to flip it)."""
    entry = type("Entry", (), {})()
    entry.status_list_id, entry.status_list, entry.status_index = status_list.id, status_list, index
    status.mark_revoked(entry)


# The credential ---------------------------------------------------------------------------------


def test_a_new_list_is_published_signed_with_every_entry_clear():
    status_list = a_list()
    signed = status_list.signed
    url = f"http://localhost/credentials/status/{status_list.id}"
    assert signed["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert signed["id"] == url
    assert signed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert signed["issuer"] == "http://localhost/issuer"
    assert signed["validFrom"].endswith("Z")
    subject = signed["credentialSubject"]
    assert subject["id"] == f"{url}#list"
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("u")
    bits = status.decode_bits(subject["encodedList"])
    assert bits == bytes(STATUS_LIST_SIZE // 8)  # 131,072 entries, none set
    assert status_list.signed_version == status_list.version == 0
    check = proof_of(signed)
    assert check.valid, check.problem
    assert check.verification_method == keys.verification_method(keys.current_key()[0])


def test_the_encoded_list_is_gzip_in_unpadded_base64url_and_depends_on_the_bits_only():
    bits = bytes(16_384)
    encoded = status.encode_bits(bits)
    assert not set(encoded) & set("=+/")
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert gzip.decompress(raw) == bits
    assert raw[4:8] == b"\0\0\0\0"  # no modification time
    time.sleep(1.1)
    assert status.encode_bits(bits) == encoded


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


MALFORMED_LISTS = {
    "empty": "",
    "base58btc": "zabc",
    "not base64url": "u!!!!",
    "not gzip": "u" + base64.urlsafe_b64encode(b"not gzip at all").decode(),
    "truncated": "u" + base64.urlsafe_b64encode(gzipped(bytes(1000))[:-12]).decode(),
    "bomb": "u" + base64.urlsafe_b64encode(gzipped(bytes(3 * 1024 * 1024))).decode(),
}


@pytest.mark.parametrize("encoded", MALFORMED_LISTS.values(), ids=MALFORMED_LISTS.keys())
def test_a_malformed_or_oversized_encoded_list_is_refused(encoded):
    with pytest.raises(ValueError, match="encodedList"):
        status.decode_bits(encoded)


def test_a_non_string_encoded_list_is_refused():
    with pytest.raises(ValueError, match="encodedList"):
        status.decode_bits(None)  # type: ignore[arg-type]


# Flipping a bit -------------------------------------------------------------------------------


def test_flipping_a_bit_signs_the_list_again_and_leaves_the_others_clear():
    status_list = a_list()
    flip(status_list, 10)
    flip(status_list, STATUS_LIST_SIZE - 1)
    db.session.commit()
    signed = status_list.signed
    assert status_list.version == status_list.signed_version == 2
    bits = status.decode_bits(signed["credentialSubject"]["encodedList"])
    assert [index for index in range(STATUS_LIST_SIZE) if status.is_set(bits, index)] == [
        10,
        STATUS_LIST_SIZE - 1,
    ]
    assert bits[1] == 0b0010_0000  # bit 10: the third most significant bit of byte 1
    assert proof_of(signed).valid


def test_flipping_a_bit_that_is_set_changes_nothing():
    status_list = a_list()
    flip(status_list, 3)
    db.session.commit()
    signed = status_list.signed
    flip(status_list, 3)
    db.session.commit()
    assert status_list.version == 1
    assert status_list.signed == signed


def test_changing_the_signed_list_breaks_its_proof():
    status_list = a_list()
    flip(status_list, 5)
    db.session.commit()
    forged = json.loads(json.dumps(status_list.signed))
    forged["credentialSubject"]["encodedList"] = status.encode_bits(bytes(STATUS_LIST_SIZE // 8))
    assert not proof_of(forged).valid
    assert proof_of(status_list.signed).valid


def test_revoking_with_131072_entries_stays_cheap(capsys):
    status_list = a_list()
    timings = []
    for index in range(0, STATUS_LIST_SIZE, STATUS_LIST_SIZE // 20):
        started = time.perf_counter()
        flip(status_list, index)
        db.session.commit()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    median = timings[len(timings) // 2]
    size = len(json.dumps(status_list.signed))
    with capsys.disabled():
        print(
            f"\nstatus list of {STATUS_LIST_SIZE} entries: flip + sign + commit {median:.1f} ms "
            f"(median of {len(timings)}), signed list {size} bytes, encodedList "
            f"{len(status_list.signed['credentialSubject']['encodedList'])} characters"
        )
    assert median < 200


# Key rotation ---------------------------------------------------------------------------------


def test_resigning_every_list_after_a_rotation_uses_the_new_key(app):
    first, second = a_list(), status._new_list()
    db.session.commit()
    old_method = first.signed["proof"]["verificationMethod"]
    versions = (first.version, second.version)
    old, _private = keys.current_key()
    old.retired_at = utcnow()
    kid = keys.create_key_file()
    try:
        assert status.resign_all() == 2
        db.session.commit()
        new_method = keys.verification_method(keys.current_key()[0])
    finally:
        (keys.key_folder() / f"{kid}{keys.KEY_SUFFIX}").unlink()
    assert new_method.endswith(kid)
    assert new_method != old_method
    for status_list, version in zip((first, second), versions, strict=True):
        assert status_list.signed["proof"]["verificationMethod"] == new_method
        assert status_list.version == status_list.signed_version == version + 1
        assert proof_of(status_list.signed).valid


# The route ------------------------------------------------------------------------------------


def test_the_list_is_served_signed_with_public_caching_and_its_version_as_etag(client):
    status_list = a_list()
    flip(status_list, 7)
    db.session.commit()
    response = client.get(f"/credentials/status/{status_list.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"] == '"1"'
    served = response.get_json()
    assert served == status_list.signed
    assert [bit(served, index) for index in (6, 7, 8)] == [False, True, False]
    assert proof_of(served).valid


def test_a_reader_holding_the_current_version_gets_304_and_a_new_version_after_a_flip(client):
    status_list = a_list()
    url = f"/credentials/status/{status_list.id}"
    etag = client.get(url).headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["Cache-Control"] == "public, max-age=300"
    flip(status_list, 1)
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert bit(changed.get_json(), 1)


@pytest.mark.parametrize("path", ["/credentials/status/999999", "/credentials/status/x"])
def test_an_unknown_list_is_not_found_and_not_cached(client, path):
    a_list()
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"


def test_a_list_whose_signature_lags_is_served_signed_afresh_without_writing(client):
    status_list = a_list()
    status_list.bits = b"\x80" + status_list.bits[1:]
    status_list.version += 1  # as a change made outside mark_revoked would leave it
    db.session.commit()
    served = client.get(f"/credentials/status/{status_list.id}").get_json()
    assert bit(served, 0)
    assert proof_of(served).valid
    db.session.refresh(status_list)
    assert status_list.signed_version == 0  # a GET writes nothing


def test_fetching_the_list_shares_the_verification_rate_limit(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_VERIFY", "2 per minute")
    status_list = a_list()
    url = f"/credentials/status/{status_list.id}"
    assert client.get(url).status_code == 200
    assert client.get(f"/verify/{'a' * 32}").status_code == 404
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused.headers["Cache-Control"] == "no-store"


def test_the_list_names_nobody(client):
    certificate = CertificateFactory()
    issued = issue_credential(certificate)
    db.session.commit()
    body = client.get(f"/credentials/status/{issued.status_list_id}").get_data(as_text=True)
    assert certificate.learner.email not in body
    assert certificate.learner.display_name not in body
    assert certificate.code not in body
