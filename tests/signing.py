"""Signing identities for tests: the development one, and others made to be refused or accepted.

Keys are made once per session (RSA key generation takes a tenth of a second or more) under
pytest's temporary folder; nothing is written into the repository.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    NoEncryption,
    pkcs12,
)
from cryptography.x509.oid import NameOID

from lms.core.pades_identity import build_certificate

PASSPHRASE = "correct horse battery staple"


def write_identity(
    folder: Path,
    *,
    organisation: str = "Bien-vivre SCIC",
    passphrase: str | None = PASSPHRASE,
    elliptic: bool = False,
    expired: bool = False,
    name: str = "signing.p12",
) -> Path:
    """Write a PKCS#12 identity that is not marked for development; return its path."""
    now = datetime.now(UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Test qualified CA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Trust service provider"),
        ]
    )
    ca = build_certificate(
        ca_name,
        ca_key.public_key(),
        issuer=ca_name,
        issuer_key=ca_key,
        not_before=now - timedelta(days=800),
        not_after=now + timedelta(days=800),
        is_ca=True,
    )
    key = (
        ec.generate_private_key(ec.SECP256R1())
        if elliptic
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    certificate = build_certificate(
        subject,
        key.public_key(),  # type: ignore[arg-type]  an EC key on purpose, to be refused
        issuer=ca_name,
        issuer_key=ca_key,
        not_before=now - timedelta(days=400 if expired else 1),
        not_after=now - timedelta(days=1) if expired else now + timedelta(days=365),
        is_ca=False,
    )
    encryption = BestAvailableEncryption(passphrase.encode()) if passphrase else NoEncryption()
    data = pkcs12.serialize_key_and_certificates(b"test", key, certificate, [ca], encryption)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def render_in_thread(html: str) -> bytes:
    """Return ``html`` as a PDF/A-3a of the application's engine, rendered in another thread."""
    from lms.core.pdf import html_to_pdf

    made: list[bytes] = []
    thread = threading.Thread(target=lambda: made.append(html_to_pdf(html, "certificate.css")))
    thread.start()
    thread.join()
    return made[0]


def nss_database(folder: Path, ca_pem: Path) -> str | None:
    """Make an NSS database trusting ``ca_pem`` for signatures; None without certutil."""
    if shutil.which("certutil") is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    database = f"sql:{folder}"
    run = ["certutil", "-d", database]
    subprocess.run([*run, "-N", "--empty-password"], check=True, capture_output=True)  # noqa: S603
    # "C,C,C": a trusted issuer for TLS, e-mail and object signing; pdfsig checks the second.
    subprocess.run(  # noqa: S603  our fixed arguments and a file of the test's own folder
        [*run, "-A", "-n", "ca", "-t", "C,C,C", "-a", "-i", str(ca_pem)],
        check=True,
        capture_output=True,
    )
    return database


def pdfsig(path: Path, database: str) -> str:
    """Return what poppler's pdfsig says about the signatures of a PDF."""
    result = subprocess.run(  # noqa: S603  our fixed arguments
        ["pdfsig", "-nssdir", database, str(path)],  # noqa: S607  the system's pdfsig
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout + result.stderr


def assert_signed(pdf: bytes, identity, reason: str, location: str | None) -> None:
    """Assert that ``pdf`` carries one valid signature of the development identity, saying
    ``reason`` at ``location``, and is still a PDF/A-3 of version 1.7."""
    import io

    import pikepdf

    from lms.core.pades_verify import inspect_signatures

    ca = x509.load_pem_x509_certificate(identity.ca.read_bytes())
    [report] = inspect_signatures(pdf, [ca])
    assert report.is_valid, report
    assert report.signer_organisation == "Bien-vivre SCIC"
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert document.pdf_version == "1.7"
        assert document.open_metadata().pdfa_status.startswith("3")
        [field] = document.Root.AcroForm.Fields
        assert str(field.V.Reason) == reason
        assert (str(field.V.Location) if "/Location" in field.V else None) == location
