"""Seed 002's catalogue: every template is a valid form, enabled in one click."""

import pytest

from sve import services
from sve.catalogue import TEMPLATES
from sve.fields import build_form_class, specs_check
from sve.models import Form
from tests.conftest import in_tenant

SEED_002 = {
    "acte-naissance",
    "acte-mariage",
    "acte-deces",
    "livret-famille",
    "intervention",
    "centre-loisirs",
    "stationnement-demenagement",
    "ouverture-chantier",
    "rendez-vous-elu",
    "contact",
}


def test_catalogue_covers_seed_002_with_valid_fields():
    assert set(TEMPLATES) == SEED_002
    for template in TEMPLATES.values():
        specs_check(template["fields"])
        assert template["regime"] in ("sva", "svr")
        build_form_class(template["fields"])()


@pytest.mark.django_db
def test_every_template_enables_once(tenant_a):
    with in_tenant(tenant_a):
        for code in TEMPLATES:
            services.form_template_enable(code=code, actor=None)
            services.form_template_enable(code=code, actor=None)
        assert Form.objects.filter(is_enabled=True).count() == len(TEMPLATES)
        contact = Form.objects.get(template_code="contact").current_version
        assert contact.regime == "svr" and "tribunal administratif" in contact.appeal_routes
