import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tenants.models import Collectivite, CollectiviteLogo, Membership
from tenants.theming import (
    SURFACE_ALT,
    contrast_ratio,
    logo_check,
    primary_color_check,
    theme_palette,
)


def image_file(fmt="PNG", size=(120, 60), name="logo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 0, 145)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize(
    ("color", "ratio"),
    [("#000000", 21.0), ("#ffffff", 1.0), ("#767676", 4.54), ("#000091", 14.91)],
)
def test_contrast_ratio_follows_wcag_21(color, ratio):
    assert contrast_ratio("#ffffff", color) == pytest.approx(ratio, abs=0.01)


def test_a_colour_below_aa_is_refused_with_its_ratio():
    assert primary_color_check("#767676") == "#767676"  # 4.54:1, just enough
    with pytest.raises(ValidationError) as excinfo:
        primary_color_check("#777777")  # 4.48:1
    assert "4,48:1" in excinfo.value.messages[0]
    assert "4,5:1" in excinfo.value.messages[0]
    with pytest.raises(ValidationError, match="hexadécimal"):
        primary_color_check("bleu")


def test_logo_checks_type_by_content_size_and_dimensions():
    checked = logo_check(image_file())
    assert (checked.content_type, checked.width, checked.height) == ("image/png", 120, 60)
    assert logo_check(image_file("JPEG", name="logo.jpg")).content_type == "image/jpeg"
    assert logo_check(image_file("WEBP", name="logo.webp")).content_type == "image/webp"
    svg = SimpleUploadedFile(
        "logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    with pytest.raises(ValidationError, match="pas une image lisible"):
        logo_check(svg)
    with pytest.raises(ValidationError, match="PNG, JPEG ou WebP"):
        logo_check(image_file("GIF", name="logo.gif"))
    with pytest.raises(ValidationError, match="10 × 10 pixels"):
        logo_check(image_file(size=(10, 10)))
    with pytest.raises(ValidationError, match="taille maximale"):
        logo_check(SimpleUploadedFile("logo.png", b"\x89PNG" + b"0" * (1024 * 1024)))


@pytest.fixture
def admin_a(tenant_a, member_factory, client_a):
    user = member_factory(tenant_a, role=Membership.Role.ADMIN)
    client_a.force_login(user)
    return user


LOOK = {
    "primary_color": "#1f5c3a",
    "contact_address": "1 place de la Mairie\n05100 Puy-Saint-André",
    "contact_phone": "04 92 21 00 00",
    "contact_email": "mairie@commune-a.fr",
    "dpo_name": "Service DPO mutualisé",
    "dpo_email": "dpo@commune-a.fr",
}


def test_the_admin_sets_the_look_and_it_shows_on_every_page(tenant_a, admin_a, client_a):
    response = client_a.post("/gestion/apparence/", LOOK | {"logo": image_file()})
    assert response.status_code == 302, response.content.decode()[:3000]
    tenant_a.refresh_from_db()
    assert tenant_a.primary_color == "#1f5c3a"
    assert tenant_a.logo_version == 1
    assert CollectiviteLogo.objects.get(collectivite=tenant_a).content_type == "image/png"

    home = Client(HTTP_HOST="test-a.localhost").get("/").content.decode()
    assert '<link rel="stylesheet" href="/theme.css?v=1f5c3a">' in home
    assert "<style" not in home and "style=" not in home
    theme = Client(HTTP_HOST="test-a.localhost").get("/theme.css?v=1f5c3a")
    assert theme.status_code == 200 and theme["Content-Type"].startswith("text/css")
    assert "--primary: #1f5c3a;" in theme.content.decode()
    assert 'src="/logo/?v=1"' in home
    assert "04 92 21 00 00" in home and "mailto:dpo@commune-a.fr" in home
    assert "operator-logo.svg" in home  # seed 000: the partner's logo on every page
    logo = Client(HTTP_HOST="test-a.localhost").get("/logo/?v=1")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert logo.content.startswith(b"\x89PNG")


def test_the_operator_logo_is_on_the_operators_pages_too(operator):
    html = Client(HTTP_HOST="localhost").get("/").content.decode()
    assert "operator-logo.svg" in html and "site-footer__partner" in html


def test_a_colour_failing_contrast_is_refused_with_an_explanation(tenant_a, admin_a, client_a):
    response = client_a.post("/gestion/apparence/", LOOK | {"primary_color": "#ffcc00"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le texte blanc sur la couleur #ffcc00 n&#x27;a qu&#x27;un contraste de 1,51:1" in html
    tenant_a.refresh_from_db()
    assert tenant_a.primary_color == ""


def test_a_bad_logo_is_refused_and_nothing_is_saved(tenant_a, admin_a, client_a):
    fake = SimpleUploadedFile("logo.png", b"<svg onload='alert(1)'></svg>")
    phone_before = tenant_a.contact_phone
    response = client_a.post("/gestion/apparence/", LOOK | {"logo": fake})
    assert response.status_code == 200
    assert "pas une image lisible" in response.content.decode()
    tenant_a.refresh_from_db()
    assert LOOK["contact_phone"] != phone_before
    assert (tenant_a.logo_version, tenant_a.contact_phone) == (0, phone_before)


def test_an_agent_cannot_change_the_look(tenant_a, member_factory, client_a):
    client_a.force_login(member_factory(tenant_a))
    assert client_a.post("/gestion/apparence/", LOOK).status_code == 403
    assert Collectivite.objects.get(pk=tenant_a.pk).primary_color == ""


def test_the_admin_of_one_commune_cannot_change_anothers_look(
    tenant_a, tenant_b, admin_a, client_b
):
    client_b.force_login(admin_a)
    assert client_b.get("/gestion/apparence/").status_code == 403
    assert client_b.post("/gestion/apparence/", LOOK).status_code == 403
    assert Collectivite.objects.get(pk=tenant_b.pk).primary_color == ""


def test_a_commune_without_a_logo_answers_404_on_its_logo(tenant_b, client_b):
    assert client_b.get("/logo/").status_code == 404


@pytest.mark.parametrize(
    "color",
    ["#767676", "#000091", "#1f5c3a", "#c9191e", "#b34000", "#e1000f", "#0063cb", "#000000"],
)
def test_every_accepted_colour_gives_a_palette_that_keeps_text_readable(color):
    # The pairings static/portal/portal.css uses: white on the colour and its hover
    # shade (buttons), the text shade on white, on the tint and on the grey surface.
    palette = theme_palette(primary_color_check(color))
    assert contrast_ratio("#ffffff", palette["primary"]) >= 4.5
    assert contrast_ratio("#ffffff", palette["primary-hover"]) >= 4.5
    for background in ("#ffffff", palette["primary-tint"], SURFACE_ALT):
        assert contrast_ratio(palette["primary-text"], background) >= 4.5, background


def test_a_commune_without_a_colour_has_no_theme_stylesheet(tenant_b, client_b):
    assert client_b.get("/theme.css").status_code == 404
    assert "/theme.css" not in client_b.get("/").content.decode()
