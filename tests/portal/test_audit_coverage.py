"""Every route that can change data leaves an audit entry naming its actor (issue 22).

The URL resolvers of both hosts are walked (as tests/tenants/test_access_gate.py does), so a
route added later fails ``test_every_route_is_classified`` until it is put in one table:

- SCENARIOS: a writing route and how to exercise it (fixtures, a valid POST); the test
  asserts that a new entry names the expected actor;
- READ_ONLY: pages, files and API reads (GET only, or a POST that only filters/previews);
- NOT_AUDITED: routes that write nothing the trail records, each with its reason.

A writing route added without a scenario fails the first test; a scenario whose route stops
recording an entry naming its actor fails the last one.

Routes of the technical admin (``admin:*``) all write through Django's ModelAdmin, which
logs each add, change and delete in LogEntry; identity.audit copies each LogEntry into the
trail. One scenario proves it (``admin:auth_group_add``); the others are that family.
"""

import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from portal.audit.models import HistoryEntry
from tenants.models import Collectivite, Membership
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield (namespace + entry.name) if entry.name else f"{namespace}<{entry.pattern}>"


ROUTE_NAMES = sorted(
    set(_walk(get_resolver("portal.urls_public").url_patterns))
    | set(_walk(get_resolver("portal.urls_tenant").url_patterns))
)
ADMIN_FAMILY = re.compile(r"^admin:")

# The bordereaux pages number a batch's bordereaux on first view (billing.pes_numbered, an
# entry proven in tests/billing/test_pes.py); each later view only reads.
READ_ONLY = set(
    """
    home backoffice audit_journal api-schema api-docs
    identity:logout_done identity:account identity:export_download identity:upstream_start
    identity:upstream_callback identity:sso_start
    accounts:password_reset_done accounts:password_reset_complete
    oauth2_provider:oidc-connect-discovery-info oauth2_provider:jwks-info
    oauth2_provider:user-info
    outbox:list outbox:detail outbox:attachment
    support_desk:queue support_desk:report support_desk:help support_desk:attachment
    support_desk:request
    operator:dashboard operator:commune_search operator:collectivite
    conventions:list conventions:dashboard conventions:detail conventions:document
    billing:index billing:campaign billing:campaign_progress billing:campaign_pes
    billing:titres billing:titre billing:titre_pdf billing:members billing:exports
    billing:correction_pes billing:campaign_bordereaux billing:correction_bordereaux
    sealed:verify commune_logo commune_theme_css technical_admin_login
    conventions_api:convention-list conventions_api:convention-detail
    billing_api:titre-list billing_api:titre-detail billing_api:payment-detail
    billing:payments billing_api:payment-list
    support:list support:help support:help_suggest support:help_article support:request
    support:attachment
    commune:logo commune:theme_css commune:legal_mentions commune:legal_privacy
    commune:accessibility
    conventions_member:list conventions_member:detail conventions_member:document
    billing_member:list billing_member:detail billing_member:pdf
    sve:catalogue sve:track sve:track_document sve:track_attestation sve:my_requests
    sve:dashboard sve:export sve:agent_document sve:forms sve:form_builder_preview
    sve:form_preview
    sms_operator:use
    rendezvous:search rendezvous:type rendezvous:mine rendezvous:manage rendezvous:sms_link rendezvous:rebook
    rendezvous:document rendezvous:agenda rendezvous:agent-document rendezvous:surveys
    rendezvous:config
    rendezvous-api-types rendezvous-api-slots sve-api-forms sve-api-request
    """.split()
)

NOT_AUDITED = {
    # Shadowed: identity's views answer these paths first (same path, included before).
    "accounts:login": "shadowed by identity:login",
    "accounts:logout": "shadowed by identity:logout",
    # Nothing changes until the link mailed is followed (that step is recorded).
    "identity:email_change": "mails a confirmation link; identity:email_confirm records",
    "accounts:password_reset": "mails a reset link; nothing changes",
    # A hold keeps a slot a few minutes and expires by itself; the booking is recorded.
    "rendezvous:hold": "temporary hold, expires by itself; booking is recorded",
    "rendezvous:rebook-hold": "temporary hold, expires by itself; the move is recorded",
    # Issue 28: the SMS provider's delivery reports set each SMS's status; a STOP it
    # reports is recorded as sms.stop (tests/rendezvous/test_sms.py).
    "sms_events:events": "provider's delivery reports; a STOP is recorded (sms.stop)",
    # OAuth2 provider: codes and tokens are the sign-in's mechanics; the sign-in is recorded
    # (user_logged_in) on the host that starts the session.
    "oauth2_provider:authorize": "issues an SSO code; the sign-in is recorded",
    "oauth2_provider:token": "exchanges an SSO code for tokens",
    "oauth2_provider:revoke-token": "revokes a token of the SSO",
    "identity:sso_callback": "opens the session: recorded by the user_logged_in signal",
    # The staff second-factor step (identity/staff_access.py): a refused code is a security
    # event (identity/audit.py); a passed one only marks the session already recorded.
    "identity:second_factor_check": "refused codes recorded as security events",
}

# --- scenarios -------------------------------------------------------------------------


@dataclass
class World:
    tenant: Collectivite
    user_factory: object
    member_factory: object

    def commune(self, user=None) -> Client:
        client = Client(HTTP_HOST="test-a.localhost")
        if user is not None:
            client.force_login(user)
        return client

    def operator(self, user) -> Client:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        return client

    def admin(self):
        return self.member_factory(self.tenant, role=Membership.Role.ADMIN)

    def platform_admin(self):
        return self.user_factory(is_platform_admin=True)


def member_action(w: World):
    admin, agent = w.admin(), w.member_factory(w.tenant)
    membership = Membership.objects.get(user=agent, collectivite=w.tenant)
    w.commune(admin).post(f"/gestion/membres/{membership.pk}/", {"action": "deactivate"})
    return admin


def members(w: World):
    admin = w.admin()
    w.commune(admin).post(
        "/gestion/membres/", {"email": "nouvel.agent@example.fr", "role": "agent"}
    )
    return admin


def look(w: World):
    admin = w.admin()
    data = {"primary_color": "#1a4b8c", "contact_email": "mairie@example.fr"}
    w.commune(admin).post("/gestion/apparence/", data)
    return admin


def commune_security(w: World):
    admin = w.admin()
    w.commune(admin).post("/comptes/securite-commune/", {"required": "on"})
    return admin


def rendezvous_settings(w: World):
    admin = w.admin()
    data = {"visio_base_url": "https://visio.example.fr/", "reminder_hours": "24"}
    w.commune(admin).post("/rendez-vous/gestion/reglages/", data)
    return admin


def rendezvous_config_add(w: World):
    admin = w.admin()
    data = {"name": "État civil", "description": "Actes et livrets"}
    w.commune(admin).post("/rendez-vous/gestion/configuration/services/nouveau/", data)
    return admin


def login(w: World):
    user = w.user_factory()
    w.commune().post("/comptes/connexion/", {"username": user.email, "password": PASSWORD})
    return user


def logout(w: World):
    user = w.user_factory()
    w.commune(user).post("/comptes/deconnexion/")
    return user


def signup(w: World):
    data = {
        "email": "nouvel.usager@example.fr",
        "first_name": "Léa",
        "last_name": "Martin",
        "password1": "un-mot-de-passe-solide-73",
        "password2": "un-mot-de-passe-solide-73",
    }
    w.commune().post("/comptes/inscription/", data)
    return "nouvel.usager@example.fr"


def sessions_end(w: World):
    user = w.user_factory()
    w.commune(user)  # a second session
    w.commune(user).post("/comptes/mon-compte/sessions/fin/")
    return user


def export_request(w: World):
    user = w.user_factory()
    w.commune(user).post("/comptes/mon-compte/donnees/")
    return user


def account_delete(w: World):
    user = w.user_factory()
    w.commune(user).post("/comptes/mon-compte/suppression/", {"confirm": "on"})
    return user


def _enrolled(w: World):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = w.user_factory()
    TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    return user


def recovery_codes_new(w: World):
    user = _enrolled(w)
    w.commune(user).post("/comptes/mon-compte/double-authentification/codes/")
    return user


def second_factor_remove(w: World):
    user = _enrolled(w)
    w.commune(user).post("/comptes/mon-compte/double-authentification/desactiver/")
    return user


def support_file(w: World):
    admin = w.admin()
    data = {"kind": "assistance", "subject": "Souci", "description": "Rien ne marche"}
    w.commune(admin).post("/gestion/assistance/nouvelle/", data)
    return admin


def operator_suspend(w: World):
    admin = w.platform_admin()
    w.operator(admin).post(
        f"/operateur/collectivites/{w.tenant.slug}/suspendre/", {"reason": "Mise en demeure"}
    )
    return admin


def operator_lift(w: World):
    from tenants.services import collectivite_suspend

    admin = w.platform_admin()
    collectivite_suspend(collectivite=w.tenant, reason="Mise en demeure", acting_user=admin)
    w.operator(admin).post(f"/operateur/collectivites/{w.tenant.slug}/retablir/")
    return admin


def operator_export(w: World):
    admin = w.platform_admin()
    w.operator(admin).post(f"/operateur/collectivites/{w.tenant.slug}/export/")
    return admin


def operator_archive(w: World):
    admin = w.platform_admin()
    w.operator(admin).post(f"/operateur/collectivites/{w.tenant.slug}/export/")
    data = {"confirm_slug": w.tenant.slug}
    w.operator(admin).post(f"/operateur/collectivites/{w.tenant.slug}/archiver/", data)
    return admin


def rendezvous_config_edit(w: World):
    from rendezvous.models import Service
    from tests.conftest import in_tenant

    admin = w.admin()
    with in_tenant(w.tenant):
        service = Service.objects.create(name="Urbanisme")
    data = {"name": "Urbanisme et travaux", "description": ""}
    w.commune(admin).post(f"/rendez-vous/gestion/configuration/services/{service.pk}/", data)
    return admin


def sve_agent_action(w: World):
    from tests.conftest import in_tenant
    from tests.sve.conftest import enabled_form, submit

    agent = w.member_factory(w.tenant)
    with in_tenant(w.tenant):
        request = submit(enabled_form())
    w.commune(agent).post(f"/demarches/gestion/demandes/{request.pk}/note/", {"body": "Vu"})
    return agent


def billing_issuer(w: World):
    from tests.billing.test_services_settings import _issuer_values

    finance = w.user_factory(is_finance=True)
    w.operator(finance).post("/facturation/ordonnateur/", _issuer_values())
    return finance


def agent_appointment(w: World):
    from rendezvous import services
    from rendezvous.models import Mode
    from tests.rendezvous.conftest import MONDAY, at, make_setup

    agent = w.member_factory(w.tenant)
    setup = make_setup(w.tenant, [agent])
    booked = services.appointment_book(
        acting_user=agent,
        appointment_type=setup.kind,
        place_id=setup.place.pk,
        starts_at=at(MONDAY, 9),
        mode=Mode.IN_PERSON,
        first_name="Léa",
        last_name="Martin",
        email="lea@example.fr",
    )
    connection.set_schema_to_public()
    w.commune(agent).post(f"/rendez-vous/gestion/rdv/{booked.pk}/", {"action": "seen"})
    return agent


def citizen_cancel(w: World):
    from rendezvous import links, services
    from rendezvous.models import Mode
    from tests.rendezvous.conftest import MONDAY, at, make_setup

    citizen = w.user_factory()
    setup = make_setup(w.tenant, [w.member_factory(w.tenant)])
    booked = services.appointment_book(
        acting_user=citizen,
        appointment_type=setup.kind,
        place_id=setup.place.pk,
        starts_at=at(MONDAY, 9),
        mode=Mode.IN_PERSON,
        first_name="Léa",
        last_name="Martin",
        email=citizen.email,
    )
    connection.set_schema_to_public()
    w.commune(citizen).post(f"/rendez-vous/mon-rdv/{links.link_sign(appointment=booked)}/annuler/")
    return citizen


def email_confirm(w: World):
    # A GET that writes: the link mailed to the new address (identity.services.account).
    from django.core import signing

    from identity.services.account import EMAIL_CHANGE_SALT

    user = w.user_factory()
    token = signing.dumps({"user": user.pk, "email": "nouvelle@example.fr"}, salt=EMAIL_CHANGE_SALT)
    w.commune(user).get(f"/comptes/mon-compte/adresse/{token}/")
    return "nouvelle@example.fr"


def help_new(w: World):
    from support.models import DeskMember

    admin = w.user_factory()
    DeskMember.objects.create(user=admin)
    data = {"title": "Se connecter", "body": "Utilisez votre adresse.", "application": ""}
    w.operator(admin).post("/operateur/assistance/aide/nouvel-article/", data)
    return admin


def technical_admin(w: World):
    admin = w.user_factory(is_staff=True, is_superuser=True, is_platform_admin=True)
    w.operator(admin).post("/administration-technique/auth/group/add/", {"name": "Lecteurs"})
    return admin


def second_factor(w: World):
    from tests.identity.conftest import totp_code, totp_enrolled

    admin = w.platform_admin()
    device = totp_enrolled(admin)
    client = Client(HTTP_HOST="localhost")
    client.post("/comptes/connexion/", {"username": admin.email, "password": PASSWORD})
    client.post("/comptes/double-authentification/", {"code": totp_code(device)})
    return admin


def second_factor_settings(w: World):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.identity.conftest import totp_code

    user = w.user_factory()
    client = w.commune(user)
    client.get("/comptes/mon-compte/double-authentification/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post("/comptes/mon-compte/double-authentification/", {"code": totp_code(device)})
    return user


def password_change(w: World):
    user = w.user_factory()
    new = "un-autre-mot-de-passe-long-77"
    data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    w.commune(user).post("/comptes/mon-compte/mot-de-passe/", data)
    return user


def sms_opt_out(w: World):
    user = w.user_factory()
    w.commune(user).post("/comptes/mon-compte/sms/", {"sms": "non"})
    return user


def sms_cap(w: World):
    admin = w.admin()
    w.commune(admin).post("/gestion/sms/", {"monthly_cap": "100"})
    return admin


def password_reset_confirm(w: World):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = w.user_factory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    client = w.commune()
    # Django swaps the token for a session marker on the first visit, then shows the form.
    form_url = client.get(
        f"/comptes/mot-de-passe/nouveau/{uid}/{default_token_generator.make_token(user)}/"
    )["Location"]
    new = "un-autre-mot-de-passe-long-77"
    client.post(form_url, {"new_password1": new, "new_password2": new})
    return user


def upstream_link(w: World):
    from identity.views.upstream import LINK_KEY

    user = w.user_factory()
    client = Client(HTTP_HOST="localhost")
    session = client.session
    identity = {
        "provider": "franceconnect",
        "subject": "fc-sub-coverage",
        "email": user.email.lower(),
        "email_verified": True,
        "given_name": "Léa",
        "family_name": "Martin",
    }
    session[LINK_KEY] = {"identity": identity, "user": user.pk, "next": "/", "upstream": {}}
    session.save()
    client.post("/comptes/liaison/", {"confirm": "1"})
    return user


def provider_logout(w: World):
    user = w.user_factory()
    w.operator(user).post("/o/logout/", {"allow": "on"})
    return user


# --- appointments: a citizen signed in books, moves, answers; agents book and configure ---


def _rendezvous(w: World, citizen=None, agent=None):
    """A bookable type (tests.rendezvous.conftest) and, for ``citizen``, their appointment."""
    from rendezvous import services
    from rendezvous.models import Mode
    from tests.rendezvous.conftest import MONDAY, at, make_setup

    setup = make_setup(w.tenant, [agent or w.member_factory(w.tenant)])
    booked = None
    if citizen is not None:
        booked = services.appointment_book(
            acting_user=citizen,
            appointment_type=setup.kind,
            place_id=setup.place.pk,
            starts_at=at(MONDAY, 9),
            mode=Mode.IN_PERSON,
            first_name="Léa",
            last_name="Martin",
            email=citizen.email,
        )
    connection.set_schema_to_public()
    return setup, booked


def _contact(email: str) -> dict:
    return {"mode": "in_person", "first_name": "Léa", "last_name": "Martin", "email": email}


def _signed(booked) -> str:
    from rendezvous import links

    return f"/rendez-vous/mon-rdv/{links.link_sign(appointment=booked)}/"


def rendezvous_book(w: World):
    from rendezvous import services
    from tests.conftest import in_tenant
    from tests.rendezvous.conftest import MONDAY, at

    citizen = w.user_factory()
    setup, _ = _rendezvous(w)
    with in_tenant(w.tenant):
        held = services.appointment_hold(
            appointment_type=setup.kind, place_id=setup.place.pk, starts_at=at(MONDAY, 9)
        )
    w.commune(citizen).post(f"/rendez-vous/reservation/{held.token}/", _contact(citizen.email))
    return citizen


def rendezvous_rebook(w: World):
    from tests.rendezvous.conftest import MONDAY, at

    citizen = w.user_factory()
    setup, booked = _rendezvous(w, citizen)
    client = w.commune(citizen)
    slot = {"debut": at(MONDAY, 10).isoformat(), "lieu": setup.place.pk}
    held = client.post(f"{_signed(booked)}reprendre/retenir/", slot)
    client.post(held["Location"], {"mode": "in_person", "phone": ""})
    return citizen


def rendezvous_survey(w: World):
    from rendezvous import services
    from tests.conftest import in_tenant

    citizen = w.user_factory()
    _, booked = _rendezvous(w, citizen)
    with in_tenant(w.tenant):
        services.appointment_mark(acting_user=citizen, appointment=booked, status="seen")
    w.commune(citizen).post(f"{_signed(booked)}avis/", {"score": "5", "comment": "Parfait"})
    return citizen


def rendezvous_agent_book(w: World):
    from tests.rendezvous.conftest import MONDAY, at

    agent = w.member_factory(w.tenant)
    setup, _ = _rendezvous(w, agent=agent)
    url = f"/rendez-vous/gestion/prendre/?type={setup.kind.pk}&date={MONDAY.isoformat()}"
    slot = f"{setup.place.pk}|{at(MONDAY, 10).isoformat()}"
    data = _contact("jean@example.fr") | {"slot": slot, "mode": "phone", "phone": "0492000000"}
    w.commune(agent).post(url, data)
    return agent


def _place(w: World, pk=None):
    admin = w.admin()
    url = f"/rendez-vous/gestion/configuration/lieux/{pk or 'nouveau'}/"
    data = {"name": "Mairie", "address": "1 place de la Mairie", "d0_0_opens": "08:30"}
    w.commune(admin).post(url, data | {"d0_0_closes": "12:00"})
    return admin


def place_add(w: World):
    return _place(w)


def place_edit(w: World):
    setup, _ = _rendezvous(w)
    return _place(w, setup.place.pk)


def _api(client, path: str, data: dict):
    return client.post(f"/api/rendez-vous/{path}/", data, content_type="application/json")


def api_book(w: World):
    from tests.rendezvous.conftest import MONDAY, at

    citizen = w.user_factory()
    setup, _ = _rendezvous(w)
    data = _contact(citizen.email) | {"type_id": setup.kind.pk, "place_id": setup.place.pk}
    _api(w.commune(citizen), "reservations", data | {"starts_at": at(MONDAY, 9).isoformat()})
    return citizen


def api_cancel(w: World):
    citizen = w.user_factory()
    _, booked = _rendezvous(w, citizen)
    link = _signed(booked).split("/")[-2]
    _api(w.commune(citizen), "annulations", {"link": link})
    return citizen


def api_rebook(w: World):
    from tests.rendezvous.conftest import MONDAY, at

    citizen = w.user_factory()
    _, booked = _rendezvous(w, citizen)
    link = _signed(booked).split("/")[-2]
    data = {"link": link, "starts_at": at(MONDAY, 10).isoformat()}
    _api(w.commune(citizen), "deplacements", data)
    return citizen


# --- SVE: a citizen files and follows; agents instruct (pages and API); admins build ---


def _sve_request(w: World, citizen=None, pieces_asked_by=None):
    """A request filed on the form of tests.sve.conftest (by ``citizen`` if given)."""
    from datetime import date, timedelta

    from sve import services
    from tests.conftest import in_tenant
    from tests.sve.conftest import enabled_form, submit

    with in_tenant(w.tenant):
        request = submit(enabled_form(), user=citizen)
        if pieces_asked_by is not None:
            services.request_qualify(request=request, acting_user=pieces_asked_by, regime="sva")
            due_on = date.today() + timedelta(days=15)
            services.request_ask_pieces(
                request=request, acting_user=pieces_asked_by, items="RIB", due_on=due_on
            )
    return request


def sve_fill(w: World):
    from tests.conftest import in_tenant
    from tests.sve.conftest import enabled_form

    citizen = w.user_factory()
    with in_tenant(w.tenant):
        enabled_form()
    identity = {"last_name": "Durand", "first_name": "Alix", "postal_address": "2 place"}
    data = {f"id-{key}": value for key, value in identity.items()}
    data |= {"id-email": citizen.email, "action": "deposer", "f-objet": "Ma demande"}
    w.commune(citizen).post("/demarches/formulaire/demande-test/", data)
    return citizen


def sve_track_message(w: World):
    citizen = w.user_factory()
    request = _sve_request(w, citizen)
    w.commune(citizen).post(f"/demarches/suivi/{request.access_token}/message/", {"body": "Merci"})
    return citizen


def sve_track_complete(w: World):
    from tests.sve.conftest import png

    citizen = w.user_factory()
    request = _sve_request(w, citizen, pieces_asked_by=w.member_factory(w.tenant))
    data = {"comment": "Voici", "piece": png()}
    w.commune(citizen).post(f"/demarches/suivi/{request.access_token}/completer/", data)
    return citizen


def sve_bulk(w: World):
    agent = w.member_factory(w.tenant)
    request = _sve_request(w)
    data = {"ids": [request.pk], "action": "qualify_sva"}
    w.commune(agent).post("/demarches/gestion/lot/", data)
    return agent


def sve_agent_request(w: World):
    # A GET that writes: an agent opening a file is in its journal (sve.services).
    agent = w.member_factory(w.tenant)
    request = _sve_request(w)
    w.commune(agent).get(f"/demarches/gestion/demandes/{request.pk}/")
    return agent


def _form_builder(w: World, slug: str = ""):
    admin = w.admin()
    if slug:
        from tests.conftest import in_tenant
        from tests.sve.conftest import make_form

        with in_tenant(w.tenant):
            make_form(slug=slug)
    settings = {
        "title": "Permis de végétaliser",
        "regime": "sva",
        "delay_months": "2",
        "delay_days": "0",
        "service_name": "Espaces verts",
        "service_address": "Place de la Mairie",
        "service_email": "espaces-verts@example.fr",
        "service_phone": "04 92 00 00 02",
    }
    data = {f"s-{key}": value for key, value in settings.items()}
    data |= {"champs-0-label": "Adresse", "champs-0-type": "text", "action": "publier"}
    w.commune(admin).post(f"/demarches/gestion/formulaires/{slug or 'nouveau'}/", data)
    return admin


def sve_form_new(w: World):
    return _form_builder(w)


def sve_form_edit(w: World):
    return _form_builder(w, "demande-test")


def sve_template_enable(w: World):
    admin = w.admin()
    w.commune(admin).post("/demarches/gestion/formulaires/modele/acte-naissance/")
    return admin


def sve_form_toggle(w: World):
    from tests.conftest import in_tenant
    from tests.sve.conftest import enabled_form

    admin = w.admin()
    with in_tenant(w.tenant):
        enabled_form()
    w.commune(admin).post("/demarches/gestion/formulaires/demande-test/activer/")
    return admin


def _sve_api(user):
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST="test-a.localhost")
    client.force_authenticate(user)
    return client


def sve_api_submit(w: World):
    from tests.conftest import in_tenant
    from tests.sve.conftest import IDENTITY, enabled_form

    citizen = w.user_factory()
    with in_tenant(w.tenant):
        enabled_form()
    data = IDENTITY | {"data": {"objet": "Par l'API"}}
    _sve_api(citizen).post("/api/sve/formulaires/demande-test/demandes/", data, format="json")
    return citizen


def _sve_api_act(w: World, path: str, data: dict, *, qualified: bool = False):
    from sve import services
    from tests.conftest import in_tenant

    agent = w.member_factory(w.tenant)
    request = _sve_request(w)
    if qualified:
        with in_tenant(w.tenant):
            services.request_qualify(request=request, acting_user=agent, regime="svr")
    _sve_api(agent).post(f"/api/sve/demandes/{request.pk}/{path}/", data)
    return agent


def sve_api_qualify(w: World):
    return _sve_api_act(w, "qualifier", {"regime": "sva"})


def sve_api_pieces(w: World):
    from datetime import date, timedelta

    due_on = (date.today() + timedelta(days=15)).isoformat()
    return _sve_api_act(w, "pieces", {"items": "RIB", "due_on": due_on}, qualified=True)


def sve_api_decide(w: World):
    data = {"decision": "reject", "reasons": "Hors du champ de la demande"}
    return _sve_api_act(w, "decider", data, qualified=True)


# --- support desk and members' requests; onboarding a commune ---


def _desk_member(w: World):
    from support.models import DeskMember

    user = w.user_factory()
    DeskMember.objects.create(user=user)
    return user


def _support_request(w: World, referent):
    from support import services

    return services.support_request_file(
        collectivite=w.tenant,
        user=referent,
        kind="assistance",
        subject="Mot de passe du parapheur",
        description="Je n'arrive plus à me connecter.",
    )


def support_desk_act(w: World):
    desk = _desk_member(w)
    filed = _support_request(w, w.admin())
    w.operator(desk).post(f"/operateur/assistance/{filed.reference}/agir/", {"action": "take"})
    return desk


def support_act(w: World):
    referent = w.admin()
    filed = _support_request(w, referent)
    data = {"action": "reply", "body": "Toujours bloqué."}
    w.commune(referent).post(f"/gestion/assistance/{filed.reference}/agir/", data)
    return referent


def help_edit(w: World):
    from support.models import HelpArticle

    desk = _desk_member(w)
    article = HelpArticle.objects.create(title="Se connecter", body="Votre adresse.")
    data = {
        "title": "Se connecter au portail",
        "body": "Utilisez votre adresse.",
        "application": "",
    }
    w.operator(desk).post(f"/operateur/assistance/aide/{article.pk}/", data)
    return desk


def operator_onboard(w: World):
    from tenants.services.reference import CommuneRow, commune_reference_import
    from tests.tenants.conftest import ROWS

    commune_reference_import(rows=[CommuneRow(**vars(row)) for row in ROWS], population_year=2023)
    admin = w.platform_admin()
    data = {
        "commune": "Embrun",
        "insee_code": "05046",
        "slug": "embrun",
        "extra_domains": "",
        "services": ["sve"],
        "referent_first_name": "Claire",
        "referent_last_name": "Martin",
        "referent_email": "claire.martin@embrun.fr",
    }
    w.operator(admin).post("/operateur/raccorder/", data)
    return admin


# --- conventions (operator's pages and the commune admin's) ---


def _convention(w: World, admin, *, signed: bool = True):
    from datetime import date

    from conventions import services
    from conventions.models import Application, ConventionModel
    from conventions.seeds import seed_catalogue

    seed_catalogue(Application, ConventionModel)
    model = ConventionModel.objects.get(seed="000")
    convention = services.convention_create(model=model, collectivite=w.tenant, acting_user=admin)
    if signed:
        day = date(2025, 3, 10)
        services.convention_sign(convention=convention, signed_on=day, acting_user=admin, today=day)
    return convention


def convention_new(w: World):
    from conventions.models import Application, ConventionModel
    from conventions.seeds import seed_catalogue

    seed_catalogue(Application, ConventionModel)
    admin = w.platform_admin()
    data = {
        "model": ConventionModel.objects.get(seed="000").pk,
        "collectivite": w.tenant.pk,
        "member_signatory": "Marie Dupont",
        "member_signatory_title": "Maire",
    }
    w.operator(admin).post("/conventions/nouvelle/", data)
    return admin


def convention_action(w: World):
    admin = w.platform_admin()
    convention = _convention(w, admin, signed=False)
    w.operator(admin).post(f"/conventions/{convention.pk}/action/send/")
    return admin


def convention_notice(w: World):
    convention = _convention(w, w.platform_admin())
    referent = w.admin()
    w.commune(referent).post(f"/gestion/conventions/{convention.pk}/denoncer/", {"confirm": "on"})
    return referent


def convention_amendment(w: World):
    from datetime import timedelta

    from django.utils import timezone

    convention = _convention(w, w.platform_admin())
    referent = w.admin()
    application = convention.coverages.first().application
    data = {
        "remove": [application.pk],
        "effective_on": (timezone.localdate() + timedelta(days=40)).isoformat(),
        "note": "Retrait",
    }
    w.commune(referent).post(f"/gestion/conventions/{convention.pk}/avenant/", data)
    return referent


# --- billing (finance staff's pages; a commune admin contests a titre) ---


def _convention_in_force(collectivite, model):
    from datetime import date

    from conventions.models import Convention, ConventionApplication

    start = date(2026, 1, 1)
    convention = Convention.objects.create(
        model=model,
        collectivite=collectivite,
        state=Convention.State.ACTIVE,
        signed_on=start,
        starts_on=start,
    )
    ConventionApplication.objects.bulk_create(
        ConventionApplication(convention=convention, application=app, applies_from=start)
        for app in model.applications.all()
    )
    return convention


def _billing(w: World, *, titre: bool = False):
    """The Métropole's shared-services model priced for 2026, the issuer, the commune under
    a convention in force and, for ``titre``, its titre notified (tests/billing/conftest)."""
    from datetime import date

    from billing.liquidation import liquidate
    from billing.models import Issuer, TariffLine
    from billing.services import tariff_save, titre_issue, titre_render, titre_send
    from billing.services.titres import issuer_snapshot
    from conventions.models import Application, ConventionModel
    from conventions.seeds import seed_catalogue
    from tests.billing.test_services_settings import _issuer_values

    seed_catalogue(Application, ConventionModel)
    model = ConventionModel.objects.get(code="services-communs-metropole")
    lines = [
        TariffLine(
            kind=TariffLine.Kind.APPLICATION,
            application=app,
            label=app.label,
            amount_cents=1_000_000,
            participation_cents=500_000,
        )
        for app in model.applications.all()
    ]
    tariff_save(model=model, year=2026, decision="Annexe 1", lines=lines, acting_user=None)
    Issuer.objects.create(**_issuer_values())
    Collectivite.objects.filter(pk=w.tenant.pk).update(population_totale=1000, population_year=2023)
    _convention_in_force(w.tenant, model)
    if not titre:
        return model
    (bill,) = liquidate(year=2026, model_ids=[model.pk]).members
    issued = titre_issue(bill=bill, year=2026, issuer=issuer_snapshot(), today=date(2026, 9, 1))
    titre_render(titre_id=issued.pk)
    titre_send(titre_id=issued.pk, today=date(2026, 9, 1))
    return issued


def _finance(w: World):
    return w.user_factory(is_finance=True)


def campaign_launch(w: World):
    from billing.services import campaign_create

    model, finance = _billing(w), _finance(w)
    campaign = campaign_create(year=2026, model_ids=[model.pk], acting_user=finance)
    client = w.operator(finance)
    page = client.get(f"/facturation/campagnes/{campaign.pk}/").content.decode()
    confirmed = {
        name: re.search(rf'name="{name}" value="(\d+)"', page).group(1)
        for name in ("members", "total_ttc")
    }
    client.post(f"/facturation/campagnes/{campaign.pk}/lancer/", {"confirm": "1", **confirmed})
    return finance


def titre_payment(w: World):
    titre, finance = _billing(w, titre=True), _finance(w)
    data = {"paid_on": "2026-10-01", "amount": "1,00", "reference": "VIR-1"}
    w.operator(finance).post(f"/facturation/titres/{titre.pk}/paiement/", data)
    return finance


def titre_member_contest(w: World):
    titre, referent = _billing(w, titre=True), w.admin()
    data = {"reason": "Population erronée"}
    w.commune(referent).post(f"/gestion/factures/{titre.pk}/contester/", data)
    return referent


def population(w: World):
    finance = _finance(w)
    data = {"collectivite": w.tenant.pk, "year": "2026", "population": "1200", "source": "INSEE"}
    w.operator(finance).post("/facturation/populations/", data)
    return finance


def _packages(w: World):
    """The packages model of seed 003, priced for 2026 (tests/billing/conftest)."""
    from billing.models import TariffLine
    from billing.services import tariff_save
    from conventions.models import Application, ConventionModel
    from conventions.seeds import seed_catalogue

    seed_catalogue(Application, ConventionModel)
    model = ConventionModel.objects.get(code="cdg-forfaits")
    lines = [
        TariffLine(kind="package", code="technologie", label="Technologie", amount_cents=1000),
        TariffLine(
            kind="service",
            code="conseil",
            label="Journée conseil",
            unit_label="journée(s)",
            amount_cents=45_000,
        ),
    ]
    tariff_save(model=model, year=2026, decision="Annexe 2", lines=lines, acting_user=None)
    return _convention_in_force(w.tenant, model)


def tariffs(w: World):
    from conventions.models import ConventionModel

    _packages(w)
    finance = _finance(w)
    data = {
        "model": ConventionModel.objects.get(code="cdg-forfaits").pk,
        "year": "2027",
        "decision": "CA du 12/11/2026",
        "document": "memoire",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-kind": "package",
        "lines-0-code": "technologie",
        "lines-0-label": "Technologie",
        "lines-0-amount": "1 250",
        "lines-0-vat_rate": "0",
    }
    w.operator(finance).post("/facturation/tarifs/", data)
    return finance


def billing_member(w: World):
    from tests.billing.test_services_settings import VALID_SIRET

    finance = _finance(w)
    w.operator(finance).post(f"/facturation/membres/{w.tenant.pk}/", {"siret": VALID_SIRET})
    return finance


def member_package(w: World):
    convention, finance = _packages(w), _finance(w)
    prefix = f"p{convention.pk}-"
    data = {f"{prefix}package_code": "technologie", f"{prefix}decided_by": "n° 14"}
    w.operator(finance).post(f"/facturation/membres/{w.tenant.pk}/forfait/{convention.pk}/", data)
    return finance


def _usage(w: World, finance):
    convention = _packages(w)
    data = {
        "usage-convention": convention.pk,
        "usage-service_code": "conseil",
        "usage-used_on": "2026-03-03",
        "usage-quantity": "2",
        "usage-note": "Formation des agents",
    }
    w.operator(finance).post(f"/facturation/membres/{w.tenant.pk}/prestations/", data)


def member_usage(w: World):
    finance = _finance(w)
    _usage(w, finance)
    return finance


def member_usage_delete(w: World):
    from billing.models import ServiceUsage

    finance = _finance(w)
    _usage(w, finance)
    usage = ServiceUsage.objects.get()
    url = f"/facturation/membres/{w.tenant.pk}/prestations/{usage.pk}/supprimer/"
    w.operator(finance).post(url)
    return finance


# route name: (scenario, the action its entry must carry)
SCENARIOS = {
    "commune:member_action": (member_action, "tenants.member_deactivated"),
    "commune:members": (members, "tenants.member_invited"),
    "commune:look": (look, "tenants.look_updated"),
    "identity:commune_security": (commune_security, "tenants.collectivite_security"),
    "rendezvous:settings": (rendezvous_settings, "rendezvous.settings_saved"),
    "rendezvous:config-add": (rendezvous_config_add, "rendezvous.service_saved"),
    "identity:login": (login, "security.signed_in"),
    "identity:logout": (logout, "security.signed_out"),
    "accounts:signup": (signup, "account.signed_up"),
    "identity:sessions_end": (sessions_end, "account.sessions_ended"),
    "identity:export_request": (export_request, "account.data_export"),
    "identity:account_delete": (account_delete, "account.deleted"),
    "identity:recovery_codes_new": (recovery_codes_new, "security.recovery_codes_renewed"),
    "identity:second_factor_remove": (second_factor_remove, "security.second_factor_disabled"),
    "support:file": (support_file, "support.description"),
    "operator:suspend": (operator_suspend, "tenants.collectivite_suspend"),
    "support_desk:help_new": (help_new, "support.help_article_saved"),
    "operator:lift": (operator_lift, "tenants.collectivite_lift"),
    "operator:export": (operator_export, "tenants.collectivite_export"),
    "operator:archive": (operator_archive, "tenants.collectivite_archive"),
    "rendezvous:config-edit": (rendezvous_config_edit, "rendezvous.service_saved"),
    "sve:agent_action": (sve_agent_action, "sve.note_added"),
    "billing:issuer": (billing_issuer, "issuer_created"),
    "rendezvous:agent-appointment": (agent_appointment, "rendezvous.marked"),
    "rendezvous:cancel": (citizen_cancel, "rendezvous.cancelled"),
    "identity:email_confirm": (email_confirm, "account.email_changed"),
    "admin:auth_group_add": (technical_admin, "security.technical_admin"),
    "identity:second_factor": (second_factor, "security.signed_in"),
    "identity:second_factor_settings": (second_factor_settings, "security.second_factor_enabled"),
    "identity:password_change": (password_change, "account.password_changed"),
    "sms:account": (sms_opt_out, "sms.opt_out"),
    "sms_admin:commune": (sms_cap, "sms.cap_set"),
    "accounts:password_reset_confirm": (password_reset_confirm, "account.password_reset"),
    "identity:upstream_link": (upstream_link, "security.upstream_linked"),
    "oauth2_provider:rp-initiated-logout": (provider_logout, "security.signed_out"),
    "rendezvous:book": (rendezvous_book, "rendezvous.booked"),
    "rendezvous:rebook-confirm": (rendezvous_rebook, "rendezvous.moved"),
    "rendezvous:survey": (rendezvous_survey, "rendezvous.survey_answered"),
    "rendezvous:agent-book": (rendezvous_agent_book, "rendezvous.booked"),
    "rendezvous:place-add": (place_add, "rendezvous.place_saved"),
    "rendezvous:place-edit": (place_edit, "rendezvous.place_saved"),
    "rendezvous-api-book": (api_book, "rendezvous.booked"),
    "rendezvous-api-cancel": (api_cancel, "rendezvous.cancelled"),
    "rendezvous-api-rebook": (api_rebook, "rendezvous.moved"),
    # A draft saved on the same page records nothing: it changes nothing legal.
    "sve:fill": (sve_fill, "sve.submitted"),
    "sve:track_message": (sve_track_message, "sve.message_posted"),
    "sve:track_complete": (sve_track_complete, "sve.pieces_received"),
    "sve:dashboard_bulk": (sve_bulk, "sve.qualified"),
    "sve:agent_request": (sve_agent_request, "sve.opened"),
    "sve:form_new": (sve_form_new, "sve.form_published"),
    "sve:form_edit": (sve_form_edit, "sve.form_published"),
    "sve:template_enable": (sve_template_enable, "sve.form_enabled"),
    "sve:form_toggle": (sve_form_toggle, "sve.form_disabled"),
    "sve-api-submit": (sve_api_submit, "sve.submitted"),
    "sve-api-qualify": (sve_api_qualify, "sve.qualified"),
    "sve-api-pieces": (sve_api_pieces, "sve.pieces_requested"),
    "sve-api-decide": (sve_api_decide, "sve.rejected"),
    "support_desk:act": (support_desk_act, "support.event"),
    "support:act": (support_act, "support.reply"),
    "support_desk:help_edit": (help_edit, "support.help_article_saved"),
    "operator:onboard": (operator_onboard, "tenants.collectivite_onboard"),
    "conventions:new": (convention_new, "created"),
    "conventions:action": (convention_action, "sent"),
    "conventions_member:notice": (convention_notice, "notice"),
    "conventions_member:amendment": (convention_amendment, "amendment_requested"),
    "billing:campaign_launch": (campaign_launch, "campaign_launched"),
    "billing:titre_action": (titre_payment, "payment_recorded"),
    "billing_member:contest": (titre_member_contest, "titre_contested"),
    "billing:population": (population, "population_override"),
    "billing:tariffs": (tariffs, "tariff_saved"),
    "billing:member": (billing_member, "billing_profile_saved"),
    "billing:member_package": (member_package, "package_chosen"),
    "billing:member_usage": (member_usage, "service_used"),
    "billing:member_usage_delete": (member_usage_delete, "service_usage_deleted"),
}


def _classified(name: str) -> bool:
    return (
        name in SCENARIOS
        or name in READ_ONLY
        or name in NOT_AUDITED
        or bool(ADMIN_FAMILY.match(name))
    )


def test_the_walk_finds_both_hosts_routes():
    assert "commune:member_action" in ROUTE_NAMES and "operator:suspend" in ROUTE_NAMES
    assert "sve-api-qualify" in ROUTE_NAMES and "admin:auth_group_add" in ROUTE_NAMES


def test_every_route_is_classified():
    missing = [name for name in ROUTE_NAMES if not _classified(name)]
    assert missing == [], f"routes with no audit scenario nor reason: {missing}"


def test_the_tables_name_only_existing_routes():
    named = set(SCENARIOS) | READ_ONLY | set(NOT_AUDITED)
    assert named - set(ROUTE_NAMES) == set()


def test_a_route_is_in_one_table_only():
    tables = [set(SCENARIOS), READ_ONLY, set(NOT_AUDITED)]
    assert sum(len(table) for table in tables) == len(set().union(*tables))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_writing_route_records_an_entry_naming_its_actor(
    name, tenant_a, operator, user_factory, member_factory, settings, time_machine
):
    from tests.rendezvous.conftest import NOW

    # The appointments' scenarios book Monday 7 December 2026 (tests.rendezvous.conftest):
    # the clock stands before it, as in the appointments' own tests.
    time_machine.move_to(NOW)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    world = World(tenant=tenant_a, user_factory=user_factory, member_factory=member_factory)
    before = HistoryEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    scenario, action = SCENARIOS[name]
    actor = scenario(world)
    entries = HistoryEntry.objects.filter(id__gt=before, action=action)
    if isinstance(actor, str):
        named = entries.filter(actor_label=actor)
    else:
        named = entries.filter(actor_id=actor.pk, actor_label=actor.email)
    recorded = HistoryEntry.objects.filter(id__gt=before).values_list("action", "actor_label")
    assert named.exists(), (name, list(recorded))
