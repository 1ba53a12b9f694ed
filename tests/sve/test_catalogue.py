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
def test_every_template_enables_once(contact):
    with in_tenant(contact):
        for code in TEMPLATES:
            services.form_template_enable(code=code, acting_user=None)
            services.form_template_enable(code=code, acting_user=None)
        assert Form.objects.filter(is_enabled=True).count() == len(TEMPLATES)
        contact = Form.objects.get(template_code="contact").current_version
        assert contact.regime == "svr" and "tribunal administratif" in contact.appeal_routes


@pytest.fixture
def contact(tenant_a):
    """Commune A with its contact details filled in its settings."""
    tenant_a.contact_address = "1 place de la Mairie\n05100 Commune A"
    tenant_a.contact_email = "mairie@commune-a.fr"
    tenant_a.contact_phone = "04 92 21 00 00"
    tenant_a.save()
    return tenant_a


@pytest.mark.django_db
def test_template_takes_the_commune_contact_details(contact):
    with in_tenant(contact):
        version = services.form_template_enable(code="contact", acting_user=None).current_version
    # CRPA R112-5 2°, R112-11-1 2°: the AR will state them.
    assert version.service_name == "Mairie de Commune A"
    assert version.service_address == "1 place de la Mairie\n05100 Commune A"
    assert version.service_email == "mairie@commune-a.fr"
    assert version.service_phone == "04 92 21 00 00"


@pytest.mark.django_db
def test_no_form_online_without_service_address_email_and_phone(contact):
    contact.contact_phone = ""
    contact.save()
    with in_tenant(contact):
        with pytest.raises(services.SveError, match="numéro de téléphone"):
            services.form_template_enable(code="contact", acting_user=None)
        # Nothing half-written: the form was not created either.
        assert not Form.objects.filter(template_code="contact").exists()
        form = services.form_create(
            acting_user=None,
            title="Sans courriel",
            fields=[],
            regime="sva",
            delay_months=2,
            service_name="Accueil",
            service_address="Mairie",
            service_phone="04 92 00 00 00",
        )
        with pytest.raises(services.SveError, match="adresse électronique"):
            services.form_enable(form=form, acting_user=None, enabled=True)
        form.refresh_from_db()
        assert not form.is_enabled
        # Published with the e-mail, it goes online in one step (the builder's button).
        services.form_publish(form=form, acting_user=None, service_email="accueil@commune-a.fr")
        form.refresh_from_db()
        assert form.is_enabled and form.current_version.number == 2
