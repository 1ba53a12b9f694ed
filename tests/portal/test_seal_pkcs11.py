"""The seal's key in an HSM (issue 26): a real PKCS#11 module, SoftHSM2 (Debian's softhsm2,
installed by ``make test-tools``), with a token made for this test in a temporary folder.
The key, issued a certificate by the test CA, is imported into the token and its file
deleted: the seal can only have been made through the module. The sealed file is then
checked as the verification page checks it."""

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.sign.pkcs11 import PKCS11Signer

from portal import seal
from portal.pdf import render_pdf
from portal.sealed.selectors import sealed_verify
from portal.sealed.services import sealed_record

TOKEN = "Cachet du portail"
KEY = "cachet"
PIN = "4321"
MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
SOFTHSM = next((m for m in MODULES if Path(m).exists()), None)

pytestmark = pytest.mark.skipif(
    SOFTHSM is None or shutil.which("softhsm2-util") is None,
    reason="SoftHSM2 is not installed (make test-tools installs Debian's softhsm2)",
)


def _hsm_certificate(dev: seal.SealFiles, key) -> bytes:
    """A seal certificate for ``key``, issued by the test CA (PEM, then the CA's)."""
    ca_pem = dev.trust_roots.read_bytes()
    ca = x509.load_pem_x509_certificate(ca_pem)
    ca_key = serialization.load_pem_private_key(
        (dev.trust_roots.parent / "ca-key.pem").read_bytes(), password=None
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Cachet HSM de test")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM) + ca_pem


@pytest.fixture(scope="module")
def hsm(tmp_path_factory):
    """A SoftHSM2 token holding the seal's key (and nothing on disk but the token), and the
    certificate and trust roots files that go with it. One per process: a PKCS#11 module is
    initialised once, with the configuration SOFTHSM2_CONF names at that moment."""
    from django.conf import settings

    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    env = {"SOFTHSM2_CONF": str(conf), "PATH": "/usr/bin:/bin"}

    def softhsm(*args: str) -> None:
        subprocess.run(["softhsm2-util", *args], env=env, check=True, capture_output=True)

    softhsm("--init-token", "--free", "--label", TOKEN, "--so-pin", "87654321", "--pin", PIN)
    key = ec.generate_private_key(ec.SECP256R1())
    key_file = folder / "cachet-key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    softhsm("--import", str(key_file), "--token", TOKEN, "--label", KEY, "--id", "01", "--pin", PIN)
    key_file.unlink()  # from now on the key is in the token only
    dev = seal.development_seal_files(Path(settings.PDF_SEAL_DEV_DIR))
    cert_file = folder / "cachet-cert.pem"
    cert_file.write_bytes(_hsm_certificate(dev, key))
    return {"conf": conf, "cert": cert_file, "trust_roots": dev.trust_roots}


@pytest.fixture
def hsm_settings(hsm, settings, monkeypatch):
    monkeypatch.setenv("SOFTHSM2_CONF", str(hsm["conf"]))
    settings.PRODUCTION = True  # no test CA to fall back on
    settings.PDF_SEAL_CERT_FILE = str(hsm["cert"])
    settings.PDF_SEAL_KEY_FILE = ""
    settings.PDF_SEAL_TRUST_ROOTS_FILE = str(hsm["trust_roots"])
    settings.PDF_SEAL_PKCS11_MODULE = SOFTHSM
    settings.PDF_SEAL_PKCS11_TOKEN_LABEL = TOKEN
    settings.PDF_SEAL_PKCS11_KEY_LABEL = KEY
    settings.PDF_SEAL_PKCS11_PIN = PIN
    seal._signer.cache_clear()
    yield settings
    seal._signer.cache_clear()


@pytest.mark.django_db
def test_a_document_sealed_through_the_hsm_is_verified_as_the_portals(hsm_settings):
    assert isinstance(seal._signer(), PKCS11Signer)
    content = seal.pdf_seal(
        render_pdf("sve/pdf/attestation.html", {"req": {"reference": "2026-000042"}}),
        reason="Attestation — demande 2026-000042",
    )
    check = seal.pdf_seal_check(content)
    assert (check.sealed, check.intact, check.trusted) == (True, True, True)
    assert "Cachet HSM de test" in check.signer
    # The verification page's own check: an issued act, unchanged; one byte changed: altered.
    sealed_record(content=content, kind="sve.attestation", label="Attestation", reference="42")
    assert sealed_verify(content=content, schema_name="public").outcome == "issued"
    changed = content[:2000] + bytes([content[2000] ^ 1]) + content[2001:]
    assert sealed_verify(content=changed, schema_name="public").outcome == "altered"


def test_a_pkcs11_key_needs_its_token_key_and_pin(hsm_settings):
    hsm_settings.PDF_SEAL_PKCS11_PIN = ""
    with pytest.raises(seal.ImproperlyConfigured, match="PDF_SEAL_PKCS11_PIN"):
        seal.seal_files()
