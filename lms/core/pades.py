"""Sign the PDFs the product issues with the organisation's key (PAdES), and read signatures.

- The signing identity is a PKCS#12 file (key, certificate and CA chain) and its passphrase,
  given by ``SIGNING_PKCS12`` and ``SIGNING_PKCS12_PASSPHRASE``; without a setting, the file
  ``keys/signing.p12`` of the instance folder signs when it exists (``lms demo`` and ``lms keys
  create-dev`` write a development identity there). With no identity at all, documents are
  issued unsigned: development and tests work without a setup step, and production refuses to
  start (``lms.config.check_production``).
- A signature is an incremental update made by pyHanko: PAdES baseline B-B, or B-T when
  ``SIGNING_TSA_URL`` names a timestamp authority; SHA-256, no visible appearance, so the
  rendered pages and the PDF/A-3 claim of the bytes before it stay as they were. The key must be
  RSA: with an ECDSA key pyHanko rewrites the catalog's version to 2.0, which contradicts
  PDF/A-3 (PDF 1.7).
- The identity is read once per process (a forked batch process reads its own) and kept; a
  changed file or passphrase is read again.
- ``inspect_signatures`` reads the signatures of any bytes (an uploaded file too) without the
  network and without raising; see ``lms.core.pades_identity`` for the development identity.

This module knows no domain: what a document's signature says (reason, place) belongs to the
domain that issues it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from cryptography.x509.oid import NameOID
from flask import current_app
from flask_babel import gettext as _

# Where an instance keeps its signing identity when no setting names one.
DEFAULT_PKCS12 = Path("keys") / "signing.p12"
# The subject's organisational unit of a development identity (CA and signer): production
# refuses any certificate that carries it.
DEVELOPMENT_UNIT = "Development only — not for production"
MINIMUM_RSA_BITS = 2048
# The signature's form field (one per document: documents are signed once, when issued).
FIELD_NAME = "Signature1"
# Seconds a timestamp authority may take to answer before issuing fails.
TSA_TIMEOUT = 10


class SigningError(RuntimeError):
    """The configured signing identity cannot sign (the message says why, without secrets)."""


@dataclass(frozen=True)
class SigningIdentity:
    """A loaded identity: pyHanko's signer, its certificate and the CA certificates with it."""

    signer: Any  # pyhanko.sign.signers.SimpleSigner (pyHanko is imported on first use)
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    tsa_url: str | None
    pid: int


# No lock: two threads reading the same file at once both get a usable identity, and a lock
# held by another thread at a fork would never be released in the child.
_identities: dict[tuple[Any, ...], SigningIdentity] = {}


def reset_signing_cache() -> None:
    """Forget the identities read so far (tests that change the identity between documents)."""
    _identities.clear()


def pkcs12_path(config: Mapping[str, Any], instance_path: str) -> Path | None:
    """Return the PKCS#12 file that signs: the setting, else the instance's file if it exists."""
    if configured := config.get("SIGNING_PKCS12"):
        return Path(str(configured))
    default = Path(instance_path) / DEFAULT_PKCS12
    return default if default.is_file() else None


def is_development_certificate(certificate: x509.Certificate) -> bool:
    """Say whether a certificate (or the one that issued it) says it is for development."""
    units = [
        attribute.value
        for name in (certificate.subject, certificate.issuer)
        for attribute in name.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    ]
    return DEVELOPMENT_UNIT in units


def _read_identity(
    path: Path, passphrase: str | None
) -> tuple[RSAPrivateKey, x509.Certificate, list[x509.Certificate]]:
    """Read and check the PKCS#12 file; raise ``SigningError`` saying what is wrong."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningError(f"the signing PKCS#12 file {path} does not exist") from None
    except OSError as error:
        raise SigningError(f"the signing PKCS#12 file {path} cannot be read: {error}") from None
    secret = passphrase.encode() if passphrase else None
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, secret)
    except (ValueError, TypeError):
        raise SigningError(
            f"the signing PKCS#12 file {path} cannot be opened: wrong passphrase "
            "(LMS_SIGNING_PKCS12_PASSPHRASE) or not a PKCS#12 file"
        ) from None
    if key is None or certificate is None:
        raise SigningError(f"the signing PKCS#12 file {path} lacks a private key or certificate")
    if not isinstance(key, RSAPrivateKey):
        raise SigningError(
            f"the signing key in {path} is not an RSA key ({type(key).__name__}): PDF/A-3 "
            "documents need an RSA key (with ECDSA the PDF version becomes 2.0)"
        )
    if key.key_size < MINIMUM_RSA_BITS:
        raise SigningError(
            f"the signing key in {path} has {key.key_size} bits; at least {MINIMUM_RSA_BITS}"
        )
    check_validity(certificate, path)
    return key, certificate, chain


def check_validity(certificate: x509.Certificate, path: Path) -> None:
    """Refuse a certificate outside its validity period (checked again at each signature)."""
    now = datetime.now(UTC)
    if certificate.not_valid_after_utc < now:
        raise SigningError(
            f"the signing certificate in {path} expired on "
            f"{certificate.not_valid_after_utc:%Y-%m-%d}: renew it"
        )
    if certificate.not_valid_before_utc > now:
        raise SigningError(
            f"the signing certificate in {path} is valid only from "
            f"{certificate.not_valid_before_utc:%Y-%m-%d}"
        )


def load_identity(
    path: Path, passphrase: str | None, tsa_url: str | None = None
) -> SigningIdentity:
    """Return the identity of a PKCS#12 file, read once per process while the file is unchanged."""
    try:
        stat = path.stat()
    except OSError:
        stat = None
    digest = hashlib.sha256((passphrase or "").encode()).hexdigest()
    key = (str(path), stat and stat.st_mtime_ns, stat and stat.st_size, digest, tsa_url)
    identity = _identities.get(key)
    if identity is not None and identity.pid == os.getpid():
        return identity
    private_key, certificate, chain = _read_identity(path, passphrase)
    identity = SigningIdentity(
        _signer(private_key, certificate, chain), certificate, tuple(chain), tsa_url, os.getpid()
    )
    # Per process: a forked batch process builds its own (a timestamp client's connections are
    # not shared across a fork). Only the latest identity is kept.
    _identities.clear()
    _identities[key] = identity
    return identity


def _signer(
    private_key: RSAPrivateKey, certificate: x509.Certificate, chain: list[x509.Certificate]
) -> Any:
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    store = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    store.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in chain])
    return _signer_class()(
        private_key,
        signing_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
        signing_key=translate_pyca_cryptography_key_to_asn1(private_key),
        cert_registry=store,
    )


@cache
def _signer_class() -> type:
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign.general import get_pyca_cryptography_hash
    from pyhanko.sign.signers import SimpleSigner

    class LoadedKeySigner(SimpleSigner):
        """pyHanko's signer, with the RSA key loaded once rather than at every signature.

        pyHanko loads the key from its DER form for each signature it computes (two per PDF:
        one to size the signature's room, one to sign), and each load checks the RSA key again:
        ≈ 65 ms of CPU apiece, against ≈ 1 ms for the signature itself.
        """

        def __init__(self, private_key: RSAPrivateKey, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.private_key = private_key

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            if mechanism.signature_algo != "rsassa_pkcs1v15":
                return bytes(super().sign_raw(data, digest_algorithm))
            hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
            return self.private_key.sign(data, PKCS1v15(), hash_algorithm)

    return LoadedKeySigner


def configured_identity() -> SigningIdentity | None:
    """Return the application's signing identity, None when none is configured.

    Raises ``SigningError`` when it cannot sign now: unreadable, expired since it was read (a
    process runs for months), or a development certificate in production.
    """
    config = current_app.config
    path = pkcs12_path(config, current_app.instance_path)
    if path is None:
        return None
    identity = load_identity(
        path, config.get("SIGNING_PKCS12_PASSPHRASE"), config.get("SIGNING_TSA_URL") or None
    )
    check_validity(identity.certificate, path)
    if config.get("ENV_NAME") == "production" and is_development_certificate(identity.certificate):
        raise SigningError(_development_refused(path))
    return identity


def identity_problem(
    config: Mapping[str, Any], instance_path: str, *, production: bool = False
) -> str | None:
    """Return why the configured identity cannot sign (in production: may not), or None."""
    path = pkcs12_path(config, instance_path)
    if path is None:
        if production:
            return (
                "LMS_SIGNING_PKCS12 must name the organisation's signing PKCS#12 file in "
                "production (every issued PDF is signed)"
            )
        return None
    try:
        _, certificate, _ = _read_identity(path, config.get("SIGNING_PKCS12_PASSPHRASE"))
    except SigningError as error:
        return str(error)
    if production and is_development_certificate(certificate):
        return _development_refused(path)
    return None


def _development_refused(path: Path) -> str:
    return (
        f"the signing certificate in {path} is a development certificate; production needs "
        "the organisation's own certificate (see docs/signing.md)"
    )


def signing_problem() -> str | None:
    """Return why this application cannot sign its PDFs now, or None (also when none is set).

    Reads the identity through the process's cache, so pages may ask on every request.
    """
    config = current_app.config
    if pkcs12_path(config, current_app.instance_path) is None:
        production = config.get("ENV_NAME") == "production"
        return identity_problem(config, current_app.instance_path, production=production)
    try:
        configured_identity()
    except SigningError as error:
        return str(error)
    return None


def sign_pdf(data: bytes, *, reason: str, location: str | None) -> bytes:
    """Return the PDF signed by the organisation (PAdES), or unchanged when no identity is set.

    Raises ``SigningError`` when an identity is configured but cannot sign (wrong passphrase,
    expired certificate, timestamp authority unreachable): a document is never issued unsigned
    because of a broken setting.
    """
    identity = configured_identity()
    if identity is None:
        return data
    return sign_with(identity, data, reason=reason, location=location)


def sign_or_refuse(
    data: bytes, *, reason: str, place: str | None, refusal: type[Exception]
) -> bytes:
    """Return ``sign_pdf``'s result, or raise ``refusal`` (the domain's error) with a message
    for the person acting when the identity cannot sign; the log says why, never a secret."""
    try:
        return sign_pdf(data, reason=reason, location=(place or "").strip() or None)
    except SigningError as failure:
        current_app.logger.error("document not signed: %s", failure)
        raise refusal(
            _(
                "Documents cannot be signed on this server: the organisation's signing "
                "certificate cannot be used. The server's log says why."
            )
        ) from failure


@cache
def _writer_class() -> type:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class MetadataKeepingWriter(IncrementalPdfFileWriter):
        """An incremental writer that leaves the document information and XMP as they were.

        pyHanko would otherwise append itself to the information dictionary's producer and
        rewrite the XMP with another producer: the two would disagree, which PDF/A forbids. The
        time of signing is in the signature itself.
        """

        def _update_meta(self) -> None:
            return None

    return MetadataKeepingWriter


def _room(identity: SigningIdentity) -> int | None:
    """Return the room to reserve for the signature (hexadecimal digits), None to let pyHanko
    measure it by signing once more (with a timestamp authority, whose answer's size varies).

    Without one, the signature's container is the certificates, the RSA signature and about
    530 bytes of attributes and structure: reserving them with 1,536 bytes to spare saves
    pyHanko's trial signature (half the signing time) and about 1 KB per document.
    """
    if identity.tsa_url:
        return None
    certificates = sum(
        len(c.public_bytes(Encoding.DER)) for c in (identity.certificate, *identity.chain)
    )
    key_bytes = identity.certificate.public_key().key_size // 8  # type: ignore[union-attr]
    return 2 * (certificates + key_bytes + 1536)


Result = TypeVar("Result")


def outside_event_loop(call: Callable[[], Result]) -> Result:
    """Return ``call()``, run in a thread of its own when this thread runs an event loop.

    pyHanko signs and validates through ``asyncio.run``, which refuses to start inside a
    running event loop (an asynchronous server, a browser driver sharing the thread).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def sign_with(
    identity: SigningIdentity, data: bytes, *, reason: str, location: str | None
) -> bytes:
    """Return ``data`` signed by ``identity`` as an incremental update (PAdES B-B or B-T)."""
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    timestamper = None
    if identity.tsa_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(identity.tsa_url, timeout=TSA_TIMEOUT)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
    )
    output = BytesIO()
    try:
        writer = _writer_class()(BytesIO(data), strict=False)
        signer = signers.PdfSigner(metadata, signer=identity.signer, timestamper=timestamper)
        outside_event_loop(
            lambda: signer.sign_pdf(writer, output=output, bytes_reserved=_room(identity))
        )
    except Exception as error:  # pyHanko's and the TSA client's errors alike
        if identity.tsa_url:
            raise SigningError(
                f"the PDF could not be signed with the timestamp authority {identity.tsa_url}: "
                f"{type(error).__name__}"
            ) from error
        raise SigningError(f"the PDF could not be signed: {type(error).__name__}") from error
    return output.getvalue()
