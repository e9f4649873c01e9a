"""The organisation's PAdES signature: made, read back, refused when it cannot be trusted.

Each PDF here is a real PDF/A-3a from the application's engine, signed with an identity made in
the test's folder. pdfsig (poppler-utils) and certutil (libnss3-tools) check it as a reader
would; their tests are skipped, saying so, where those tools are missing.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pikepdf
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from lms import create_app
from lms.config import ConfigError
from lms.core import pades
from lms.core.pades_identity import DEVELOPMENT_UNIT, create_development_identity
from lms.core.pades_verify import MAX_BYTES, inspect_signatures, trust_roots
from tests.signing import PASSPHRASE, nss_database, pdfsig, render_in_thread, write_identity

pytestmark = pytest.mark.pdf

HTML = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Essai</title></head>'
    "<body><h1>Certificat</h1><p>Délivré à Camille Durand.</p></body></html>"
)
REASON = "Certificat délivré par Bien-vivre SCIC"


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    """Return a PDF/A-3a made by the application's engine, as every issued document is.

    Rendered in a thread of its own: its fonts are released when the thread ends, not at the
    interpreter's exit, where WeasyPrint's finaliser fails noisily.
    """
    return render_in_thread(HTML)


@pytest.fixture
def identity(app, development_identity, monkeypatch):
    """Sign with the session's development identity for this test."""
    monkeypatch.setitem(app.config, "SIGNING_PKCS12", str(development_identity.pkcs12))
    pades.reset_signing_cache()
    yield development_identity
    pades.reset_signing_cache()


@pytest.fixture
def signed(identity, unsigned) -> bytes:
    """Return the PDF signed by the development identity."""
    return pades.sign_pdf(unsigned, reason=REASON, location="Lyon")


def ca_of(identity) -> x509.Certificate:
    return x509.load_pem_x509_certificate(identity.ca.read_bytes())


def test_without_an_identity_documents_stay_unsigned(app, unsigned):
    assert app.config["SIGNING_PKCS12"] is None
    assert pades.sign_pdf(unsigned, reason=REASON, location=None) is unsigned
    assert inspect_signatures(unsigned, trust_roots()) == []


def test_a_signed_pdf_is_an_incremental_update_that_keeps_pdf_a_3_and_version_1_7(
    unsigned, signed, tmp_path
):
    assert signed.startswith(unsigned)  # an update appended: the signed bytes are the original
    assert len(signed) - len(unsigned) < 16 * 1024
    before, after = pikepdf.open(_write(tmp_path / "a.pdf", unsigned)), None
    after = pikepdf.open(_write(tmp_path / "b.pdf", signed))
    assert after.pdf_version == "1.7"
    assert "/Version" not in after.Root  # the catalog does not claim another version either
    assert after.open_metadata().pdfa_status == "3A"
    # The document information and XMP are the renderer's: PDF/A wants them to agree.
    assert after.Root.Metadata.read_bytes() == before.Root.Metadata.read_bytes()
    assert dict(after.docinfo) == dict(before.docinfo)
    [field] = after.Root.AcroForm.Fields
    assert field.FT == "/Sig"
    assert int(field.F) & 4
    assert list(field.Rect) == [0, 0, 0, 0]  # nothing drawn on the page
    assert field.V.SubFilter == "/ETSI.CAdES.detached"  # PAdES
    assert str(field.V.Reason) == REASON
    assert str(field.V.Location) == "Lyon"


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_qpdf_finds_no_error_in_a_signed_pdf(signed, tmp_path):
    result = subprocess.run(  # noqa: S603  the system's qpdf on our own file
        ["qpdf", "--check", str(_write(tmp_path / "signed.pdf", signed))],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def test_pyhanko_reports_the_signature_valid_with_its_signer(identity, signed):
    [report] = inspect_signatures(signed, trust_roots())
    assert (report.signer_name, report.signer_organisation) == ("Bien-vivre SCIC",) * 2
    assert report.intact
    assert report.trusted
    assert report.whole_document
    assert report.is_valid
    assert report.problem is None
    assert report.signed_at is not None
    assert not report.timestamped
    assert trust_roots() == [ca_of(identity)]


def test_signing_and_checking_work_inside_a_running_event_loop(app, identity, unsigned):
    """pyHanko's own ``asyncio.run`` would refuse there (an async server, a browser driver).

    The loop runs in a thread of its own: the browser tests may hold one in this thread.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def inside_a_loop():
        with app.app_context():
            signed = pades.sign_pdf(unsigned, reason="Essai", location=None)
            return inspect_signatures(signed, trust_roots())

    with ThreadPoolExecutor(max_workers=1) as pool:
        [report] = pool.submit(asyncio.run, inside_a_loop()).result()
    assert report.is_valid


def test_pdfsig_reports_the_signature_valid_when_the_ca_is_trusted(identity, signed, tmp_path):
    database = _nss_or_skip(tmp_path / "nss", identity.ca)
    said = pdfsig(_write(tmp_path / "signed.pdf", signed), database)
    assert "Signature Validation: Signature is Valid." in said
    assert "Certificate Validation: Certificate is Trusted." in said
    assert "Total document signed" in said
    assert "Signer Certificate Common Name: Bien-vivre SCIC" in said


def test_one_changed_byte_makes_the_signature_invalid(identity, signed, tmp_path):
    changed = bytearray(signed)
    changed[11] ^= 1  # in the binary comment after the header: inside the signed range
    assert bytes(changed[:8]) == b"%PDF-1.7"
    [report] = inspect_signatures(bytes(changed), trust_roots())
    assert not report.intact
    assert not report.is_valid
    assert report.problem.startswith("The document was changed after it was signed")
    if (database := _nss_or_none(tmp_path / "nss", identity.ca)) is not None:
        said = pdfsig(_write(tmp_path / "changed.pdf", bytes(changed)), database)
        assert "Signature Validation: Digest Mismatch." in said
        assert "Signature is Valid" not in said


def test_a_signature_from_an_authority_not_trusted_is_intact_but_not_trusted(signed):
    [report] = inspect_signatures(signed, [])
    assert report.intact
    assert not report.trusted
    assert not report.is_valid
    assert "does not come from an authority this site trusts" in report.problem


def test_content_added_after_the_signature_is_reported(identity, signed):
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0]
    stream = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf (FAUX) Tj ET"))
    page["/Contents"] = stream
    writer.update_container(page)
    output = BytesIO()
    writer.write(output)
    [report] = inspect_signatures(output.getvalue(), trust_roots())
    assert report.intact
    assert report.trusted
    assert not report.whole_document
    assert not report.is_valid
    assert report.problem == "Content was added to the document after it was signed."


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a PDF at all",
        b"%PDF-1.7\n" + b"\x00" * 4000,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /AcroForm << /Fields [2 0 R] >> >> endobj\n",
    ],
)
def test_files_that_are_not_signed_pdfs_give_no_signature(identity, data):
    assert inspect_signatures(data, trust_roots()) == []


def test_truncated_huge_or_unsigned_pdfs_give_no_signature_and_never_raise(
    identity, signed, unsigned
):
    for cut in (100, len(signed) // 2, len(signed) - 40):
        assert isinstance(inspect_signatures(signed[:cut], trust_roots()), list)
    assert inspect_signatures(unsigned, trust_roots()) == []
    assert inspect_signatures(signed + b"\n" * (MAX_BYTES + 1), trust_roots()) == []


def test_changed_bytes_anywhere_never_make_the_check_raise(identity, signed):
    roots = trust_roots()
    # Outside the signature's own hexadecimal string, which the signature cannot cover.
    start = signed.index(b"/Contents <") + len(b"/Contents <")
    end = signed.index(b">", start)
    positions = [p for p in range(len(signed)) if not start <= p < end]
    generator = random.Random(17)  # the same positions on every run
    for _ in range(40):
        changed = bytearray(signed)
        for position in generator.sample(positions, 3):
            changed[position] ^= generator.randrange(1, 256)
        reports = inspect_signatures(bytes(changed), roots)
        assert all(not report.is_valid for report in reports)  # no change goes unseen


def test_a_mangled_signature_is_reported_unreadable(identity, signed):
    start = signed.index(b"/Contents <") + len(b"/Contents <")
    mangled = signed[:start] + b"00" * 64 + signed[start + 128 :]
    [report] = inspect_signatures(mangled, trust_roots())
    assert not report.is_valid
    assert report.problem


# The identity: development, refused, cached ---------------------------------------------------


def test_the_development_identity_is_marked_and_shaped_as_asked(tmp_path):
    made = create_development_identity(tmp_path / "keys", "Bien-vivre SCIC")
    assert made.pkcs12 == tmp_path / "keys" / "signing.p12"
    assert made.pkcs12.stat().st_mode & 0o077 == 0  # readable by its owner only
    loaded = pades.load_identity(made.pkcs12, None)
    certificate, [ca] = loaded.certificate, loaded.chain
    assert ca == x509.load_pem_x509_certificate(made.ca.read_bytes())
    assert ca.public_key().key_size == 3072
    assert certificate.public_key().key_size == 2048
    unit = NameOID.ORGANIZATIONAL_UNIT_NAME
    for each in (certificate, ca):
        assert each.subject.get_attributes_for_oid(unit)[0].value == DEVELOPMENT_UNIT
        assert pades.is_development_certificate(each)
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert 700 <= lifetime.days <= 740
    assert (ca.not_valid_after_utc - ca.not_valid_before_utc).days >= 3650
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert not usage.key_cert_sign
    with pytest.raises(FileExistsError):
        create_development_identity(tmp_path / "keys", "Bien-vivre SCIC")


def test_the_identity_is_read_once_per_process_and_again_when_it_changes(tmp_path):
    path = write_identity(tmp_path)
    first = pades.load_identity(path, PASSPHRASE)
    assert pades.load_identity(path, PASSPHRASE) is first
    [key] = pades._identities
    pades._identities[key] = replace(first, pid=first.pid + 1)  # as if read before a fork
    again = pades.load_identity(path, PASSPHRASE)
    assert again.pid == first.pid
    assert again is not first
    write_identity(tmp_path, organisation="Autre SCIC")  # a new file at the same place
    assert pades.load_identity(path, PASSPHRASE).certificate != first.certificate


@pytest.mark.parametrize(
    ("make", "passphrase", "message"),
    [
        (lambda folder: folder / "absent.p12", None, "does not exist"),
        (lambda folder: write_identity(folder), "wrong", "wrong passphrase"),
        (lambda folder: _write(folder / "x.p12", b"garbage"), None, "not a PKCS#12 file"),
        (lambda folder: write_identity(folder, elliptic=True), PASSPHRASE, "not an RSA key"),
        (lambda folder: write_identity(folder, expired=True), PASSPHRASE, "expired on"),
    ],
)
def test_an_unusable_identity_is_refused_with_a_clear_message(
    app, tmp_path, monkeypatch, unsigned, make, passphrase, message
):
    path = make(tmp_path)
    monkeypatch.setitem(app.config, "SIGNING_PKCS12", str(path))
    monkeypatch.setitem(app.config, "SIGNING_PKCS12_PASSPHRASE", passphrase)
    pades.reset_signing_cache()
    assert message in pades.signing_problem()
    with pytest.raises(pades.SigningError, match=message):
        pades.sign_pdf(unsigned, reason=REASON, location=None)
    assert PASSPHRASE not in pades.signing_problem()  # never a secret in a message


def test_an_identity_that_expires_while_the_process_runs_stops_signing(
    app, identity, monkeypatch, unsigned
):
    assert pades.sign_pdf(unsigned, reason=REASON, location=None) != unsigned  # read, cached
    later = datetime.now(UTC) + timedelta(days=3 * 365)

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return later

    monkeypatch.setattr(pades, "datetime", Later)
    with pytest.raises(pades.SigningError, match="expired on"):
        pades.sign_pdf(unsigned, reason=REASON, location=None)
    assert "expired on" in pades.signing_problem()


def test_a_development_identity_never_signs_in_production(app, identity, monkeypatch, unsigned):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    with pytest.raises(pades.SigningError, match="is a development certificate"):
        pades.sign_pdf(unsigned, reason=REASON, location=None)
    assert "is a development certificate" in pades.signing_problem()


def test_an_unreachable_timestamp_authority_refuses_to_sign(app, identity, monkeypatch, unsigned):
    monkeypatch.setitem(app.config, "SIGNING_TSA_URL", "http://127.0.0.1:9/tsa")
    with pytest.raises(pades.SigningError, match=r"timestamp authority http://127\.0\.0\.1:9/tsa"):
        pades.sign_pdf(unsigned, reason=REASON, location=None)


def test_the_instance_identity_signs_when_no_setting_names_one(app, identity, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNING_PKCS12", None)
    assert pades.configured_identity() is None  # the test instance has no keys/signing.p12
    instance = Path(app.instance_path)
    assert pades.pkcs12_path(app.config, str(instance)) is None
    target = instance / "keys" / "signing.p12"
    target.parent.mkdir(exist_ok=True)
    shutil.copy(identity.pkcs12, target)
    try:
        assert pades.pkcs12_path(app.config, str(instance)) == target
        assert (
            pades.configured_identity()
            .certificate.subject.rfc4514_string()
            .endswith("CN=Bien-vivre SCIC")
        )
    finally:
        target.unlink()


# Production ------------------------------------------------------------------------------------


@pytest.fixture
def production(monkeypatch, tmp_path):
    """Return a function creating a production application with these settings."""
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    for name in ("LMS_SIGNING_PKCS12", "LMS_SIGNING_PKCS12_PASSPHRASE", "LMS_SIGNING_TSA_URL"):
        monkeypatch.delenv(name, raising=False)

    def start(**settings):
        base = {
            "ENV_NAME": "production",
            "SECRET_KEY": "s" * 40,
            "BASE_URL": "https://lms.example.org",
        }
        return create_app({**base, **settings})

    return start


def test_production_refuses_to_start_without_a_signing_identity(production):
    with pytest.raises(ConfigError, match="LMS_SIGNING_PKCS12 must name"):
        production()


def test_production_refuses_a_development_identity(production, development_identity, tmp_path):
    with pytest.raises(ConfigError, match="is a development certificate"):
        production(SIGNING_PKCS12=str(development_identity.pkcs12))
    # ... also found in the instance folder, where `lms demo` writes one.
    (tmp_path / "instance" / "keys").mkdir(parents=True)
    shutil.copy(development_identity.pkcs12, tmp_path / "instance" / "keys" / "signing.p12")
    with pytest.raises(ConfigError, match="is a development certificate"):
        production()


def test_production_refuses_an_unusable_identity(production, tmp_path):
    path = write_identity(tmp_path / "keys")
    with pytest.raises(ConfigError, match="wrong passphrase"):
        production(SIGNING_PKCS12=str(path), SIGNING_PKCS12_PASSPHRASE="nope")


def test_production_starts_with_the_organisation_identity(production, production_settings):
    app = production(**production_settings)
    with app.app_context():
        assert pades.signing_problem() is None
        assert not pades.is_development_certificate(pades.configured_identity().certificate)


def test_signing_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_SIGNING_PKCS12", "/srv/keys/signing.p12")
    monkeypatch.setenv("LMS_SIGNING_PKCS12_PASSPHRASE", "12345")  # text, never a number
    monkeypatch.setenv("LMS_SIGNING_TSA_URL", "https://tsa.example.org/")
    config = create_app().config
    assert config["SIGNING_PKCS12"] == "/srv/keys/signing.p12"
    assert config["SIGNING_PKCS12_PASSPHRASE"] == "12345"
    assert config["SIGNING_TSA_URL"] == "https://tsa.example.org/"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _nss_or_none(folder: Path, ca: Path) -> str | None:
    if shutil.which("pdfsig") is None:
        return None
    return nss_database(folder, ca)


def _nss_or_skip(folder: Path, ca: Path) -> str:
    database = _nss_or_none(folder, ca)
    if database is None:
        pytest.skip("pdfsig (poppler-utils) or certutil (libnss3-tools) is not installed")
    return database
