"""PAdES B-T: with ``SIGNING_TSA_URL`` set, each signature carries a timestamp token.

A timestamp authority runs here on a local port (pyHanko's own test responder behind a plain
HTTP server, with its certificate made in the test), so nothing leaves the machine.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from lms.core import pades
from lms.core.pades_verify import inspect_signatures, trust_roots
from tests.signing import render_in_thread

pytestmark = pytest.mark.pdf


def _tsa_identity() -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """Return a self-issued timestamping certificate (critical extended key usage) and key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test timestamp authority")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


@pytest.fixture(scope="module")
def tsa():
    """Serve a timestamp authority on a local port; yield its URL and certificate."""
    from asn1crypto import tsp
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    certificate, key = _tsa_identity()
    stamper = DummyTimeStamper(
        tsa_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
        tsa_key=translate_pyca_cryptography_key_to_asn1(key),
    )

    class Responder(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Responder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", certificate
    server.shutdown()
    server.server_close()


def test_a_timestamp_authority_makes_the_signature_b_t(app, signing, monkeypatch, tsa):
    url, tsa_certificate = tsa
    monkeypatch.setitem(app.config, "SIGNING_TSA_URL", url)
    html = "<html lang='fr'><head><title>Essai</title></head><p>Oui</p></html>"
    pdf = render_in_thread(html)
    signed = pades.sign_pdf(pdf, reason="Certificat délivré par Bien-vivre SCIC", location="Lyon")

    [report] = inspect_signatures(signed, [*trust_roots(), tsa_certificate])
    assert report.timestamped, report
    assert report.is_valid, report
    assert abs(report.signed_at - datetime.now(UTC)) < timedelta(minutes=5)
    # Without trusting the authority, the timestamp (hence the signature) is not trusted.
    [untrusted] = inspect_signatures(signed, trust_roots())
    assert untrusted.timestamped
    assert untrusted.intact
    assert not untrusted.trusted
    assert "its timestamp does not come from an authority" in untrusted.problem
