"""The operator's seal (portal.seal): valid over the whole file, read back by pyHanko from
the sealed bytes; any change to the file, even one byte, is seen; production refuses to
seal without its certificate (issue 26)."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from weasyprint import HTML

from portal import seal
from portal.pdf import pdf_issue, render_pdf
from tests.pdf_structure import accessibility_problems, pdfa_problems, seal_status

TITLE = "Accusé de réception 2026-000001"


@pytest.fixture(scope="module")
def sealed() -> bytes:
    content = render_pdf("sve/pdf/attestation.html", {"req": {"reference": "2026-000001"}})
    return seal.pdf_seal(content, reason=TITLE)


def one_byte_changed(content: bytes, at: int) -> bytes:
    return content[:at] + bytes([content[at] ^ 0x01]) + content[at + 1 :]


def test_the_seal_covers_the_whole_file_and_is_made_with_the_trusted_certificate(sealed):
    status = seal_status(sealed)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert "Cachet de test" in status.signing_cert.subject.human_friendly
    check = seal.pdf_seal_check(sealed)
    assert (check.sealed, check.intact, check.trusted) == (True, True, True)
    assert check.signed_at is not None


def test_the_sealed_file_stays_tagged_and_archivable(sealed):
    assert pdfa_problems(sealed) == []
    # The template's title block is empty here: the structure is what is checked.
    assert "no structure tree" not in accessibility_problems(sealed, title="")


def signed_positions(content: bytes) -> list[int]:
    """Byte offsets the signature's digest covers (all but the hole that holds the signature
    value itself, ISO 32000 12.8.1), spread over the file."""
    start, first, second, length = map(
        int, re.search(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+)", content).groups()
    )
    covered = [*range(start, start + first), *range(second, second + length)]
    return [covered[int(len(covered) * f)] for f in (0.0, 0.25, 0.5, 0.75)] + [covered[-1]]


def test_one_byte_changed_anywhere_the_seal_covers_breaks_it(sealed):
    for at in signed_positions(sealed):
        assert not seal.pdf_seal_check(one_byte_changed(sealed, at)).intact, at


def test_bytes_added_after_the_seal_are_seen(sealed):
    assert not seal.pdf_seal_check(sealed + b"\n% ajout\n").intact


def test_unsealed_or_foreign_files_are_neither_sealed_nor_intact():
    plain = HTML(string="<p>Un document quelconque</p>").write_pdf()
    for content in (plain, b"", b"%PDF-1.7\ngarbage", b"not a pdf at all"):
        check = seal.pdf_seal_check(content)
        assert (check.sealed, check.intact, check.trusted) == (False, False, False)


def test_a_seal_made_by_another_authority_is_not_trusted(sealed, tmp_path, settings):
    real = settings.PDF_SEAL_DEV_DIR
    settings.PDF_SEAL_DEV_DIR = tmp_path / "autre-autorite"
    seal._signer.cache_clear()
    try:
        foreign = seal.pdf_seal(render_pdf("sve/pdf/attestation.html", {}), reason="Faux")
    finally:
        settings.PDF_SEAL_DEV_DIR = real
        seal._signer.cache_clear()
    check = seal.pdf_seal_check(foreign)
    assert (check.sealed, check.intact, check.trusted) == (True, True, False)


def test_production_refuses_to_seal_without_its_certificate(settings):
    settings.PRODUCTION = True
    settings.PDF_SEAL_CERT_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="PDF_SEAL_CERT_FILE"):
        seal.seal_files()


def test_the_certificate_and_key_come_from_settings_when_given(sealed, settings):
    dev = seal.development_seal_files(settings.PDF_SEAL_DEV_DIR)
    settings.PRODUCTION = True
    settings.PDF_SEAL_CERT_FILE = str(dev.cert)
    settings.PDF_SEAL_KEY_FILE = str(dev.key)
    settings.PDF_SEAL_TRUST_ROOTS_FILE = str(dev.trust_roots)
    seal._signer.cache_clear()
    try:
        content = seal.pdf_seal(render_pdf("sve/pdf/attestation.html", {}), reason="x")
    finally:
        seal._signer.cache_clear()
    assert seal.pdf_seal_check(content).trusted


@pytest.mark.django_db
def test_sealing_or_issuing_inside_a_transaction_is_refused(sealed):
    """DESIGN.md: no lock is held while rendering a PDF; the worker renders and seals, then
    stores in a short transaction (portal/owed). A path that seals inside one fails here."""
    content = render_pdf("sve/pdf/attestation.html", {})
    with transaction.atomic():
        with pytest.raises(seal.SealedInTransaction, match="owed document"):
            seal.pdf_seal(content, reason="x")
        with pytest.raises(seal.SealedInTransaction):
            pdf_issue("sve/pdf/attestation.html", {}, reason="x")
    # The block pytest-django wraps the test in is the test's, not the code's.
    assert seal.pdf_seal_check(seal.pdf_seal(content, reason="x")).intact
