"""Issue 24 §2, over the back office's forms with an error path: a refused form comes back
as typed, with its error beside the field concerned, and nothing is written. One case per
form: who posts, where, what is typed (a marker to find again) and which field is wrong."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tenants.models import Membership
from tests.conftest import in_tenant

pytestmark = pytest.mark.django_db

MARKER = "Texte-saisi-par-l-agent-7431"
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


@dataclass
class Case:
    name: str
    host: str  # "commune" or "operator"
    role: str  # agent, admin, platform, finance, citizen
    url: str  # may name {request}, {convention} or {support}
    data: dict
    wrong: str  # the id of the field whose error must stand beside it


CASES = [
    Case(
        "sve: demander des pièces (date passée)",
        "commune",
        "agent",
        "/demarches/gestion/demandes/{request}/pieces/",
        {"items": MARKER, "due_on": YESTERDAY},
        "pieces-due_on",
    ),
    Case(
        "sve: décider un refus sans motif",
        "commune",
        "agent",
        "/demarches/gestion/demandes/{request}/decider/",
        {"decision": "reject", "reasons": "", "confirmed": "True"},
        "decider-reasons",
    ),
    Case(
        "sve: classer sans suite (motif trop long)",
        "commune",
        "agent",
        "/demarches/gestion/demandes/{request}/classer/",
        {"reasons": MARKER + "x" * 2001},
        "classer-reasons",
    ),
    Case(
        "tenants: apparence (couleur illisible)",
        "commune",
        "admin",
        "/gestion/apparence/",
        {"primary_color": "#ffff00", "contact_address": MARKER},
        "id_primary_color",
    ),
    Case(
        "tenants: inviter un membre (adresse invalide)",
        "commune",
        "admin",
        "/gestion/membres/",
        {"email": "pas-une-adresse", "first_name": MARKER, "role": "agent", "title": "Agent"},
        "id_email",
    ),
    Case(
        "rendezvous: réglages (adresse de visio invalide)",
        "commune",
        "admin",
        "/rendez-vous/gestion/reglages/",
        {"visio_base_url": f"pas une adresse {MARKER}", "reminder_hours": "24"},
        "id_visio_base_url",
    ),
    Case(
        "rendezvous: lieu (nom manquant)",
        "commune",
        "admin",
        "/rendez-vous/gestion/configuration/lieux/nouveau/",
        {"name": "", "address": MARKER},
        "id_name",
    ),
    Case(
        "conventions: suspendre sans motif",
        "operator",
        "platform",
        "/conventions/{convention}/action/suspend/",
        {"reason": ""},
        "id_reason",
    ),
    Case(
        "conventions: dénonciation (date manquante)",
        "operator",
        "platform",
        "/conventions/{convention}/action/notice/",
        {"party": "member", "kind": "term", "received_on": "", "means": "post", "reason": MARKER},
        "id_received_on",
    ),
    Case(
        "conventions (commune): dénoncer sans confirmer",
        "commune",
        "admin",
        "/gestion/conventions/{convention}/denoncer/",
        {"reason": MARKER},
        "id_confirm",
    ),
    Case(
        "conventions (commune): avenant (date d'effet invalide)",
        "commune",
        "admin",
        "/gestion/conventions/{convention}/avenant/",
        {"effective_on": "pas une date", "note": MARKER},
        "id_effective_on",
    ),
    Case(
        "support (commune): demande sans objet",
        "commune",
        "admin",
        "/gestion/assistance/nouvelle/",
        {"subject": "", "kind": "assistance", "description": MARKER},
        "id_subject",
    ),
    Case(
        "support (commune): réponse trop longue",
        "commune",
        "admin",
        "/gestion/assistance/{support}/agir/",
        {"action": "reply", "body": MARKER + "x" * 20_001},
        "id_body",
    ),
    Case(
        "support (guichet): réponse trop longue",
        "operator",
        "platform",
        "/operateur/assistance/{support}/agir/",
        {"action": "reply", "mode": "reply", "body": MARKER + "x" * 20_001},
        "id_body",
    ),
    Case(
        "support (guichet): rétablissement probable invalide",
        "operator",
        "platform",
        "/operateur/assistance/{support}/agir/",
        {"action": "eta", "eta": f"demain {MARKER}"},
        "id_eta",
    ),
    Case(
        "support (guichet): article d'aide sans titre",
        "operator",
        "platform",
        "/operateur/assistance/aide/nouvel-article/",
        {"title": "", "body": MARKER},
        "id_title",
    ),
    Case(
        "compte: nouvelle adresse invalide",
        "operator",
        "platform",
        "/comptes/mon-compte/adresse/",
        {"email": f"pas-une-adresse-{MARKER}"},
        "id_email",
    ),
    Case(
        "compte: mot de passe actuel faux",
        "commune",
        "citizen",
        "/comptes/mon-compte/mot-de-passe/",
        {"old_password": "faux", "new_password1": "Nouveau-2031!", "new_password2": "x"},
        "id_old_password",
    ),
    Case(
        "compte: double authentification (code faux)",
        "commune",
        "agent",
        "/comptes/mon-compte/double-authentification/",
        {"code": "000000"},
        "id_code",
    ),
    Case(
        "compte: suppression sans confirmer",
        "commune",
        "citizen",
        "/comptes/mon-compte/suppression/",
        {},
        "id_confirm",
    ),
]


@pytest.fixture
def world(tenant_a, member_factory, user_factory, operator):
    from conventions import services as conventions
    from conventions.models import Application, ConventionModel
    from conventions.seeds import seed_catalogue
    from support import services as support
    from sve import services as sve
    from tests.sve.conftest import enabled_form, submit

    agent = member_factory(tenant_a, Membership.Role.AGENT)
    admin = member_factory(tenant_a, Membership.Role.ADMIN)
    platform = user_factory(is_platform_admin=True)
    citizen = user_factory()
    with in_tenant(tenant_a):
        req = submit(enabled_form(regime="svr"))
        sve.request_qualify(request=req, acting_user=agent, regime="svr")
    seed_catalogue(Application, ConventionModel)
    convention = conventions.convention_create(
        model=ConventionModel.objects.get(seed="000"), collectivite=tenant_a, acting_user=platform
    )
    signed_on = timezone.localdate() - timedelta(days=30)
    conventions.convention_sign(
        convention=convention, signed_on=signed_on, acting_user=platform, today=signed_on
    )
    support_request = support.support_request_file(
        collectivite=tenant_a, user=admin, kind="incident", subject="Panne", description="Rien"
    )
    return {
        "citizen": citizen,
        "support": support_request,
        "agent": agent,
        "admin": admin,
        "platform": platform,
        "request": req,
        "convention": convention,
    }


def _snapshot(tenant_a):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from conventions.models import Amendment, Convention, Notice
    from portal.accounts.models import User
    from support.models import HelpArticle, SupportMessage, SupportRequest
    from sve.models import PieceRequest, Request

    with in_tenant(tenant_a):
        sve_state = (PieceRequest.objects.count(), list(Request.objects.values_list("status")))
    return (
        sve_state,
        list(Convention.objects.values_list("state")),
        Notice.objects.count(),
        Amendment.objects.count(),
        list(SupportRequest.objects.values_list("status", "restoration_eta")),
        SupportMessage.objects.count(),
        HelpArticle.objects.count(),
        sorted(User.objects.values_list("email", "password", "is_active")),
        TOTPDevice.objects.filter(confirmed=True).count(),
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_refused_form_keeps_what_was_typed_and_errs_beside_the_field(case, world, tenant_a):
    from portal.permissions import _has_second_factor  # noqa: F401  (the staff gate exists)

    client = Client(HTTP_HOST="test-a.localhost" if case.host == "commune" else "localhost")
    client.force_login(world[case.role])
    url = case.url.format(
        request=world["request"].pk,
        convention=world["convention"].pk,
        support=world["support"].reference,
    )
    before = _snapshot(tenant_a)
    response = client.post(url, case.data)
    html = response.content.decode()
    assert response.status_code in (200, 400), (case.name, response.status_code)
    for name, value in case.data.items():
        if MARKER in str(value):
            assert MARKER in html, f"{case.name}: « {name} » lost what was typed"
    at = html.find(f'id="{case.wrong}"')
    assert at >= 0, f"{case.name}: no field {case.wrong}"
    field = html[:at].rsplit('<div class="field', 1)[1] + html[at:].split("</div>", 1)[0]
    assert "field--error" in field or "field__error" in field, f"{case.name}: error not beside"
    assert _snapshot(tenant_a) == before, f"{case.name}: something was written"
