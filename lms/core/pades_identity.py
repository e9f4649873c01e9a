"""Make a development signing identity: a CA and a signing certificate, both marked as such.

For the demo, the tests and a developer's instance: PDFs come out signed as in production, and a
reader trusts them once told to trust ``signing-ca.pem`` (see docs/signing.md). Both
certificates carry the organisational unit ``DEVELOPMENT_UNIT``; production refuses them.
The PKCS#12 file has no passphrase and is written with mode 0600; nothing is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, pkcs12
from cryptography.x509.oid import NameOID

from lms.core.pades import DEVELOPMENT_UNIT
from lms.core.storage import write_atomically

PKCS12_NAME = "signing.p12"
CA_NAME = "signing-ca.pem"
CA_YEARS = 10
SIGNER_DAYS = 730


@dataclass(frozen=True)
class DevelopmentIdentity:
    """Where a development identity was written."""

    pkcs12: Path  # key, certificate and CA; no passphrase
    ca: Path  # the CA certificate to trust in tests and PDF readers


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEVELOPMENT_UNIT),
        ]
    )


def build_certificate(
    subject: x509.Name,
    public_key: rsa.RSAPublicKey,
    *,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
    is_ca: bool,
) -> x509.Certificate:
    """Return a certificate for a CA (signs certificates) or a document signer."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=0 if is_ca else None), True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not is_ca,
                content_commitment=not is_ca,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            True,
        )
    )
    if not is_ca:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def create_development_identity(
    folder: Path, organisation: str, *, overwrite: bool = False
) -> DevelopmentIdentity:
    """Write a development CA (RSA 3072, 10 years) and signing identity (RSA 2048, 2 years).

    Refuses (``FileExistsError``) to replace an existing ``signing.p12`` unless ``overwrite``.
    """
    target = folder / PKCS12_NAME
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} already exists")
    organisation = organisation.strip() or "Organisation"
    now = datetime.now(UTC).replace(microsecond=0)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ca_name = _name(f"{organisation} — development CA", organisation)
    ca = build_certificate(
        ca_name,
        ca_key.public_key(),
        issuer=ca_name,
        issuer_key=ca_key,
        not_before=now - timedelta(days=1),
        not_after=now + timedelta(days=365 * CA_YEARS),
        is_ca=True,
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = build_certificate(
        _name(organisation, organisation),
        key.public_key(),
        issuer=ca_name,
        issuer_key=ca_key,
        not_before=now - timedelta(days=1),
        not_after=now + timedelta(days=SIGNER_DAYS),
        is_ca=False,
    )
    bundle = pkcs12.serialize_key_and_certificates(
        b"development signing", key, certificate, [ca], NoEncryption()
    )
    ca_path = folder / CA_NAME
    write_atomically(ca_path, ca.public_bytes(Encoding.PEM))
    write_atomically(target, bundle)
    target.chmod(0o600)
    return DevelopmentIdentity(pkcs12=target, ca=ca_path)
