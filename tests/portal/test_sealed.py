"""The verification page (issue 26 §4): whoever holds an act uploads it and learns whether
the portal issued it, when and for which reference, on the issuing member's host only;
a changed file, even by one byte, is refused in French; a stranger learns nothing."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from weasyprint import HTML

from sve import documents
from sve.models import Document
from tests.conftest import in_tenant
from tests.sve.conftest import enabled_form, submit
from tests.sve.test_documents import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def aee(tenant_a, mailoutbox):
    with in_tenant(tenant_a):
        req = submit(enabled_form())
        document = documents.document_issue(request_id=req.pk, kind=Document.Kind.AEE)
    return req, bytes(document.content)


def upload(client, content: bytes, name: str = "accuse.pdf"):
    return client.post(
        "/verifier/",
        {"document": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def page_text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def test_the_act_carries_the_verification_link_and_its_reference(aee):
    req, content = aee
    text = pdf_text(content)
    assert (
        f"déposez-le sur http://test-a.localhost:8000/verifier/ (référence {req.reference})" in text
    )


def test_the_holder_of_the_act_learns_it_is_authentic_on_the_issuing_host(aee, client_a):
    req, content = aee
    response = upload(client_a, content)
    assert response.status_code == 200
    text = page_text(response)
    assert "Document authentique" in text and req.reference in text
    assert "Accusé d'enregistrement électronique" in text
    assert "n'a pas été modifié" in text


def test_one_byte_changed_is_refused_and_shows_nothing_of_the_request(aee, client_a):
    req, content = aee
    at = len(content) // 3
    changed = content[:at] + bytes([content[at] ^ 0x01]) + content[at + 1 :]
    text = page_text(upload(client_a, changed))
    assert "Document modifié" in text and "ne peut pas être tenu pour authentique" in text
    assert req.reference not in text and "Document authentique" not in text


def test_a_byte_changed_inside_the_signature_value_is_refused_too(aee, client_a):
    """The signature's own value is not under its digest (ISO 32000 12.8.1): the recorded
    hash of the whole file is what refuses that change."""
    req, content = aee
    at = content.rindex(b"/Contents <") + len(b"/Contents <") + 9000
    changed = content[:at] + (b"1" if content[at : at + 1] == b"0" else b"0") + content[at + 1 :]
    text = page_text(upload(client_a, changed))
    assert "Document authentique" not in text and req.reference not in text


def test_a_members_act_is_verified_on_its_own_host_only(aee, client_b, operator_client):
    req, content = aee
    for client in (client_b, operator_client):
        text = page_text(upload(client, content))
        assert "Document émis par une autre collectivité" in text
        assert req.reference not in text


def test_a_file_the_portal_did_not_issue_is_unknown(client_a):
    for content in (HTML(string="<p>Faux accusé</p>").write_pdf(), b"pas un PDF"):
        text = page_text(upload(client_a, content))
        assert "Document inconnu" in text and "Document authentique" not in text


def test_the_page_asks_for_a_file(client_a):
    response = client_a.get("/verifier/")
    assert response.status_code == 200 and "Vérifier un document" in page_text(response)
    text = page_text(client_a.post("/verifier/", {}))
    assert "Ce champ est obligatoire" in text


def test_uploads_to_the_page_are_limited_per_address(client_a, settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "verify:ip": "2/h"}
    for _ in range(2):
        assert upload(client_a, b"pas un PDF").status_code == 200
    assert upload(client_a, b"pas un PDF").status_code == 429
