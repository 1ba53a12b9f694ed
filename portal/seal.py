"""The operator's electronic seal on every issued act (issue 26): a PAdES signature (pyHanko)
covering the whole file, so that any change to the file breaks it; with an RFC 3161
timestamp when a timestamping authority is configured (``PDF_SEAL_TSA_URL``).

Production: the seal certificate (then its chain) is a file named by ``PDF_SEAL_CERT_FILE``;
its key either a file (``PDF_SEAL_KEY_FILE``, ``PDF_SEAL_KEY_PASSPHRASE``) or a key kept in
an HSM, used through its PKCS#11 module (``PDF_SEAL_PKCS11_MODULE``, ``_TOKEN_LABEL``,
``_KEY_LABEL``, ``_PIN``); the roots a verifier trusts by ``PDF_SEAL_TRUST_ROOTS_FILE``
(README, "Sealed documents": how to obtain an RGS or eIDAS qualified seal certificate).
Development and tests: a test certificate authority and seal certificate made on demand
under ``var/seal/`` with the ``cryptography`` library.

Sealing is CPU work of a few tens of milliseconds: the worker does it while issuing, after
rendering and before the short transaction that stores the document, never under a lock.
"""

import asyncio
import datetime
import functools
import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SEAL_FIELD = "Sceau"
PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
DEV_FILES = ("ca-cert.pem", "ca-key.pem", "seal-cert.pem", "seal-key.pem")


@dataclass(frozen=True)
class Pkcs11Key:
    """The seal's key on an HSM's token, used through the HSM's PKCS#11 module."""

    module: str
    token_label: str
    key_label: str
    pin: str = field(repr=False)


@dataclass(frozen=True)
class SealFiles:
    cert: Path  # the seal certificate, then its chain (PEM)
    key: Path | None  # None: the key is in an HSM (``pkcs11``)
    passphrase: bytes | None
    trust_roots: Path
    pkcs11: Pkcs11Key | None = None


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.OPERATOR_NAME),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def development_seal_files(directory: Path) -> SealFiles:
    """A test CA and a seal certificate it issued, under ``directory`` (made once; several
    processes starting at once keep the first complete set)."""
    if not (directory / DEV_FILES[-1]).exists():
        directory.parent.mkdir(parents=True, exist_ok=True)
        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("Autorité de test du portail (non qualifiée)")
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(ca_key, hashes.SHA256())
        )
        seal_key = ec.generate_private_key(ec.SECP256R1())
        seal_cert = (
            x509.CertificateBuilder()
            .subject_name(_name(f"Cachet de test — {settings.OPERATOR_NAME}"))
            .issuer_name(ca_name)
            .public_key(seal_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                # Non-repudiation (content commitment) and digital signature: a seal.
                x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        pem = serialization.Encoding.PEM
        tmp = Path(tempfile.mkdtemp(prefix=".seal-", dir=directory.parent))
        (tmp / "ca-cert.pem").write_bytes(ca_cert.public_bytes(pem))
        (tmp / "ca-key.pem").write_bytes(_pem(ca_key))
        (tmp / "seal-cert.pem").write_bytes(seal_cert.public_bytes(pem) + ca_cert.public_bytes(pem))
        (tmp / "seal-key.pem").write_bytes(_pem(seal_key))
        try:
            os.rename(tmp, directory)
        except OSError:  # another process made it first
            for name in DEV_FILES:
                (tmp / name).unlink()
            tmp.rmdir()
    return SealFiles(
        cert=directory / "seal-cert.pem",
        key=directory / "seal-key.pem",
        passphrase=None,
        trust_roots=directory / "ca-cert.pem",
    )


def _pkcs11_key() -> Pkcs11Key | None:
    if not settings.PDF_SEAL_PKCS11_MODULE:
        return None
    needed = ("PDF_SEAL_PKCS11_TOKEN_LABEL", "PDF_SEAL_PKCS11_KEY_LABEL", "PDF_SEAL_PKCS11_PIN")
    missing = [name for name in needed if not getattr(settings, name)]
    if missing:
        raise ImproperlyConfigured(f"PDF_SEAL_PKCS11_MODULE needs {', '.join(missing)}.")
    return Pkcs11Key(
        module=settings.PDF_SEAL_PKCS11_MODULE,
        token_label=settings.PDF_SEAL_PKCS11_TOKEN_LABEL,
        key_label=settings.PDF_SEAL_PKCS11_KEY_LABEL,
        pin=settings.PDF_SEAL_PKCS11_PIN,
    )


def seal_files() -> SealFiles:
    if settings.PDF_SEAL_CERT_FILE:
        pkcs11 = _pkcs11_key()
        if not ((settings.PDF_SEAL_KEY_FILE or pkcs11) and settings.PDF_SEAL_TRUST_ROOTS_FILE):
            raise ImproperlyConfigured(
                "PDF_SEAL_CERT_FILE needs PDF_SEAL_TRUST_ROOTS_FILE, and its key: "
                "PDF_SEAL_KEY_FILE or PDF_SEAL_PKCS11_MODULE."
            )
        passphrase = settings.PDF_SEAL_KEY_PASSPHRASE
        return SealFiles(
            cert=Path(settings.PDF_SEAL_CERT_FILE),
            key=None if pkcs11 else Path(settings.PDF_SEAL_KEY_FILE),
            passphrase=passphrase.encode() if passphrase else None,
            trust_roots=Path(settings.PDF_SEAL_TRUST_ROOTS_FILE),
            pkcs11=pkcs11,
        )
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production: set PDF_SEAL_CERT_FILE, PDF_SEAL_TRUST_ROOTS_FILE and "
            "the key (PDF_SEAL_KEY_FILE or PDF_SEAL_PKCS11_MODULE; README.md, Sealed "
            "documents)."
        )
    return development_seal_files(Path(settings.PDF_SEAL_DEV_DIR))


@functools.cache
def _signer():
    from pyhanko.keys import load_certs_from_pemder, load_private_key_from_pemder
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    files = seal_files()
    # The seal certificate first in its file, then its chain: a verifier builds the path.
    certs = list(load_certs_from_pemder([str(files.cert)]))
    if files.pkcs11 is not None:
        return _pkcs11_signer(files.pkcs11, certs)
    return signers.SimpleSigner(
        signing_cert=certs[0],
        signing_key=load_private_key_from_pemder(str(files.key), passphrase=files.passphrase),
        cert_registry=SimpleCertificateStore.from_certs(certs),
    )


class SealedInTransaction(RuntimeError):
    """A document rendered or sealed inside a database transaction (a programming error)."""


def issuing_outside_transactions() -> None:
    """Refuse to render or seal inside a transaction: whatever it locked (a request, an owed
    row, a titre's sequence) would stay locked for the tens of milliseconds of the work, or
    for the timestamping authority's answer (DESIGN.md: no lock is held while rendering a
    PDF). Issue in the worker: render and seal first, then store in ``owed_issuing``.

    The atomic blocks a test case wraps each test in are not the code's own: ignored."""
    from django.db import connection

    # Django marks its test cases' blocks with _from_testcase (django.db.transaction).
    if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        raise SealedInTransaction(
            "A PDF is rendered or sealed inside a transaction: issue it as an owed document "
            "(portal/owed), rendered and sealed before the transaction that stores it."
        )


def _pkcs11_signer(key: Pkcs11Key, certs: list):
    """A signer whose key never leaves the HSM: one session per process, opened on first
    use (after a worker's fork) and logged in with the user PIN."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    session = pkcs11.open_pkcs11_session(
        key.module, token_criteria=TokenCriteria(label=key.token_label), user_pin=key.pin
    )
    return pkcs11.PKCS11Signer(
        session,
        key_label=key.key_label,
        signing_cert=certs[0],
        ca_chain=certs[1:],
        # ECDSA: the digest is computed here and the HSM signs it (CKM_ECDSA), the mechanism
        # every EC-capable module has (SoftHSM2 has no CKM_ECDSA_SHA256).
        use_raw_mechanism=certs[0].public_key.algorithm == "ec",
    )


def pdf_seal(content: bytes, *, reason: str, location: str = "") -> bytes:
    """The PDF sealed: one incremental update adding a PAdES signature over the whole file
    (and its RFC 3161 timestamp when ``PDF_SEAL_TSA_URL`` is set). Never inside a
    transaction (``issuing_outside_transactions``)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata import model
    from pyhanko.sign import fields, signers, timestamps

    issuing_outside_transactions()
    writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    # pyHanko rewrites the XMP packet (producer, date) keeping its first rdf:RDF only: the
    # PDF/UA-1 identification, written beside it (portal.pdf), is carried over here.
    writer.document_meta.xmp_extra.append(
        model.XmpStructure.of(
            (model.ExpandedName(ns=PDFUA_NS, local_name="part"), model.XmpValue("1"))
        )
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        name=settings.OPERATOR_NAME,
    )
    timestamper = (
        timestamps.HTTPTimeStamper(settings.PDF_SEAL_TSA_URL) if settings.PDF_SEAL_TSA_URL else None
    )
    output = io.BytesIO()
    signer = signers.PdfSigner(metadata, signer=_signer(), timestamper=timestamper)
    outside_event_loop(signer.sign_pdf, writer, output=output)
    return output.getvalue()


def outside_event_loop(call, *args, **kwargs):
    """``call(*args, **kwargs)``, in a thread of its own when this one runs an event loop.

    pyHanko's synchronous API wraps ``asyncio.run``, which refuses to start inside a running
    loop (an async view, or a process that also drives a browser with Playwright)."""

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, *args, **kwargs).result()


@dataclass(frozen=True)
class SealCheck:
    sealed: bool  # carries a signature
    intact: bool  # the signature is valid and covers the whole file as it is now
    trusted: bool  # made with a certificate the portal trusts (its seal)
    ours: bool = False  # names the portal's seal certificate, even when broken
    signed_at: datetime.datetime | None = None
    signer: str = ""


def pdf_seal_check(content: bytes) -> SealCheck:
    """What the file's seal says, checked against the trusted roots; never raises on a
    damaged or foreign file (it is then neither sealed nor intact)."""
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        signatures = PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures
    except Exception:  # noqa: BLE001 - whatever a stranger uploads: not one of ours
        return SealCheck(sealed=False, intact=False, trusted=False)
    if not signatures:
        return SealCheck(sealed=False, intact=False, trusted=False)
    roots = load_certs_from_pemder([str(seal_files().trust_roots)])
    context = ValidationContext(trust_roots=list(roots), allow_fetching=False)
    try:
        status = outside_event_loop(validate_pdf_signature, signatures[-1], context)
    except Exception:  # noqa: BLE001 - a malformed signature is a broken one
        return SealCheck(sealed=True, intact=False, trusted=False)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    ours = status.signing_cert is not None and status.signing_cert.sha256 in {
        cert.sha256 for cert in load_certs_from_pemder([str(seal_files().cert)])
    }
    return SealCheck(
        sealed=True,
        intact=bool(status.intact and status.valid and whole),
        trusted=bool(status.trusted),
        ours=bool(ours or status.trusted),
        signed_at=(status.timestamp_validity.timestamp if status.timestamp_validity else None)
        or status.signer_reported_dt,
        signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
    )
