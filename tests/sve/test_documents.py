"""The letters carry the commune's identity (name, logo, colour), as its web pages do,
and no State brand."""

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from portal.pdf import render_pdf
from sve import documents
from tenants.models import Collectivite, CollectiviteLogo
from tests.conftest import in_tenant
from tests.sve.conftest import enabled_form, submit

pytestmark = pytest.mark.django_db


def _logo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), "#1f5c3a").save(buffer, format="PNG")
    return buffer.getvalue()


def test_letters_carry_the_communes_name_logo_and_colour(tenant_a):
    CollectiviteLogo.objects.create(
        collectivite=tenant_a, content=_logo_png(), content_type="image/png", width=120, height=60
    )
    Collectivite.objects.filter(pk=tenant_a.pk).update(primary_color="#1f5c3a", logo_version=1)
    tenant_a.refresh_from_db()
    with in_tenant(tenant_a):
        req = submit(enabled_form())
        context = documents.document_context(req)
        html = documents.render_to_string("sve/pdf/ar.html", context)
        pdf = PdfReader(io.BytesIO(render_pdf("sve/pdf/ar.html", context)))
    assert context["letterhead"].color == "#1f5c3a"
    assert "border-bottom: 3pt solid #1f5c3a" in html
    assert "République" not in html and "000091" not in html and "Marianne" not in html
    page = pdf.pages[0]
    assert len(page.images) == 1  # the commune's logo
    text = " ".join(page.extract_text().split())
    assert "Commune A — page 1 / 1" in text


def test_without_a_logo_or_colour_the_letter_uses_the_portals_colour(tenant_b):
    with in_tenant(tenant_b):
        req = submit(enabled_form())
        context = documents.document_context(req)
    assert context["letterhead"].logo_data_uri == ""
    assert context["letterhead"].color == "#1d4e89"
