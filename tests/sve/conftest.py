"""SVE fixtures: a form in the test tenants, submitted requests, agents, eager tasks."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenants.models import Membership
from tests.conftest import in_tenant

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

IDENTITY = {
    "last_name": "Martin",
    "first_name": "Claude",
    "postal_address": "1 rue de la Mairie\n05100 Puy-Saint-André",
    "email": "claude.martin@example.fr",
}

FIELDS = [
    {"name": "objet", "label": "Objet", "type": "text", "required": True},
    {"name": "piece", "label": "Justificatif", "type": "file", "required": False},
]


def png(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name="piece.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process (on commit), in the tenant given by their header."""
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    mail.outbox = []
    return mail.outbox


def make_form(regime="sva", slug="demande-test", fields=None, **extra):
    from sve import services

    return services.form_create(
        acting_user=None,
        slug=slug,
        title="Demande de test",
        description="",
        fields=fields if fields is not None else FIELDS,
        regime=regime,
        delay_months=2,
        delay_days=0,
        service_name="Service état civil",
        service_address="Mairie, 05100",
        service_email="etat-civil@example.fr",
        service_phone="04 92 00 00 00",
        appeal_routes="Tribunal administratif de Marseille",
        **extra,
    )


def enabled_form(**kwargs):
    from sve import services

    form = make_form(**kwargs)
    return services.form_enable(form=form, acting_user=None, enabled=True)


def submit(form, user=None, data=None, files=None, identity=None):
    from sve import services

    return services.request_submit(
        form=form,
        acting_user=user,
        identity=identity or IDENTITY,
        data=data if data is not None else {"objet": "Une demande"},
        files=files or {},
    )


@pytest.fixture
def form_a(tenant_a):
    with in_tenant(tenant_a):
        return enabled_form()


@pytest.fixture
def agent_a(member_factory, tenant_a):
    return member_factory(tenant_a, role=Membership.Role.AGENT)


@pytest.fixture
def admin_a(member_factory, tenant_a):
    return member_factory(tenant_a, role=Membership.Role.ADMIN)


@pytest.fixture
def agent_b(member_factory, tenant_b):
    return member_factory(tenant_b, role=Membership.Role.AGENT)


__all__ = ["io", "png", "pdf", "submit", "enabled_form", "make_form", "IDENTITY"]
