import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from portal.accounts.models import User
from tenants import services
from tenants.models import Collectivite, CollectiviteEvent, Domain, Membership
from tenants.selectors import commune_reference_search


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [name])
        return cursor.fetchone() is not None


def onboard(**overrides):
    kwargs = {
        "insee_code": "05046",
        "slug": "embrun",
        "referent_email": "Referente@Embrun.fr",
        "referent_first_name": "Claire",
        "referent_last_name": "Martin",
        "services": ["sve", "rendezvous", "marches-publics"],
    }
    return services.commune_onboard(**(kwargs | overrides))


# --- type-ahead ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("etienne en devoluy", "05139"),
        ("SAINT-ÉTIENNE", "05139"),
        ("argentiere", "05006"),
        ("l'argentière la", "05006"),
        ("0504", "05046"),
        ("embr", "05046"),
    ],
)
def test_search_ignores_accents_case_and_punctuation(reference, query, expected):
    assert [c.insee_code for c in commune_reference_search(query=query)] == [expected]


def test_search_puts_names_starting_with_the_query_first(reference):
    found = commune_reference_search(query="b")  # one letter: nothing
    assert found == []
    names = [c.name for c in commune_reference_search(query="br")]
    assert names == ["Briançon", "Embrun"]


def test_search_endpoint_flags_onboarded_communes_and_suggests_a_slug(
    reference, admin_client, tenant_b
):
    response = admin_client.get("/operateur/raccorder/communes/", {"q": "brianc"})
    assert response.status_code == 200
    [briancon] = response.json()["results"]
    assert briancon["insee_code"] == "05023"
    assert briancon["onboarded"] == "test-b"
    assert briancon["slug"] == "briancon"
    [saint_etienne] = admin_client.get("/operateur/raccorder/communes/", {"q": "devoluy"}).json()[
        "results"
    ]
    assert (saint_etienne["slug"], saint_etienne["onboarded"]) == ("saint-etienne-en-devoluy", "")


def test_search_endpoint_is_for_platform_admins_only(reference, operator, user_factory):
    client = Client(HTTP_HOST="localhost")
    client.force_login(user_factory())
    assert client.get("/operateur/raccorder/communes/", {"q": "gap"}).status_code == 403


# --- the service --------------------------------------------------------------------------


def test_onboarding_creates_tenant_domain_admin_membership_and_sends_a_one_time_link(
    reference, platform_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        commune = onboard(extra_domains=("demarches.embrun.fr",), acting_user=platform_admin)
    assert (commune.name, commune.insee_code, commune.siren) == ("Embrun", "05046", "210500468")
    assert (commune.population_municipale, commune.population_totale) == (6387, 6733)
    assert commune.population_year == 2023
    assert commune.services == ["sve", "rendezvous", "marches-publics"]
    assert schema_exists("c_embrun")
    assert set(Domain.objects.filter(tenant=commune).values_list("domain", "is_primary")) == {
        ("embrun.localhost", True),
        ("demarches.embrun.fr", False),
    }
    referent = User.objects.get(email="referente@embrun.fr")
    assert not referent.has_usable_password()
    membership = Membership.objects.get(user=referent, collectivite=commune)
    assert membership.role == Membership.Role.ADMIN and membership.is_active
    event = CollectiviteEvent.objects.get(collectivite=commune)
    assert (event.action, event.actor) == ("onboard", platform_admin)

    [message] = mail.outbox
    assert message.to == ["referente@embrun.fr"]
    assert "Embrun" in message.subject
    link = re.search(r"http://embrun\.localhost:8000(/comptes/mot-de-passe/\S+)", message.body)
    assert link, message.body
    # The link works once on the commune's host: set the password, then it is spent.
    client = Client(HTTP_HOST="embrun.localhost")
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "un-mot-de-passe-solide-7", "new_password2": "un-mot-de-passe-solide-7"},
    )
    assert done.status_code == 302
    referent.refresh_from_db()
    assert referent.check_password("un-mot-de-passe-solide-7")
    spent = Client(HTTP_HOST="embrun.localhost").get(link.group(1), follow=True)
    assert "new_password1" not in spent.content.decode()


def test_an_existing_account_is_reused_as_referent(reference, user_factory):
    existing = user_factory(email="deja@exemple.fr")
    commune = onboard(referent_email="DEJA@exemple.fr")
    assert Membership.objects.get(collectivite=commune).user == existing
    assert User.objects.filter(email__iexact="deja@exemple.fr").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"slug": "test-a"}, "slug", "L'identifiant « test-a » est déjà pris."),
        ({"slug": "Embrun Ville"}, "slug", "lettres minuscules"),
        ({"insee_code": "05023", "slug": "briancon"}, "insee_code", "déjà raccordée"),
        ({"insee_code": "99999"}, "insee_code", "pas dans le référentiel"),
        ({"referent_email": "pas-une-adresse"}, "referent_email", "adresse électronique valide"),
        ({"extra_domains": ("test-b.localhost",)}, "extra_domains", "déjà utilisé"),
        ({"extra_domains": ("pas un domaine",)}, "extra_domains", "pas un nom de domaine"),
        ({"services": ["sve", "inconnue"]}, "services", "Application inconnue : inconnue."),
    ],
)
def test_each_error_is_a_french_field_error_and_nothing_is_created(
    reference, tenant_a, tenant_b, overrides, field, message
):
    before = (Collectivite.objects.count(), Domain.objects.count(), User.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        onboard(**overrides)
    assert message in " ".join(excinfo.value.message_dict[field])
    assert (Collectivite.objects.count(), Domain.objects.count(), User.objects.count()) == before
    assert not schema_exists("c_embrun")


def test_a_failure_after_the_schema_exists_removes_it_again(
    reference, monkeypatch, django_capture_on_commit_callbacks
):
    from tenants.services import collectivites

    seen = {}

    def failing_grant(**kwargs):
        seen["schema_existed"] = schema_exists("c_embrun")
        raise RuntimeError("panne simulée après la création du schéma")

    monkeypatch.setattr(collectivites, "membership_grant", failing_grant)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            onboard()
    assert seen == {"schema_existed": True}
    assert not schema_exists("c_embrun")
    assert not Collectivite.objects.filter(slug="embrun").exists()
    assert not Domain.objects.filter(domain="embrun.localhost").exists()
    assert not User.objects.filter(email="referente@embrun.fr").exists()
    assert callbacks == [] and mail.outbox == []


def test_collectivite_create_keeps_its_original_signature(db):
    commune = services.collectivite_create(name="Commune C", slug="test-c", insee_code="05061")
    assert commune.services == ["sve", "rendezvous"]
    assert commune.get_primary_domain().domain == "test-c.localhost"


# --- the wizard (operator host) -----------------------------------------------------------


def wizard_data(**overrides):
    return {
        "commune": "Embrun",
        "insee_code": "05046",
        "slug": "embrun",
        "extra_domains": "",
        "services": ["sve", "rendezvous"],
        "referent_first_name": "Claire",
        "referent_last_name": "Martin",
        "referent_email": "claire.martin@embrun.fr",
    } | overrides


def test_the_wizard_onboards_and_shows_the_new_commune(
    reference, admin_client, django_capture_on_commit_callbacks
):
    page = admin_client.get("/operateur/raccorder/")
    assert page.status_code == 200
    assert "Raccorder une commune" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/operateur/raccorder/", wizard_data(), follow=True)
    assert response.redirect_chain[-1][0] == "/operateur/collectivites/embrun/"
    html = response.content.decode()
    assert "Embrun est raccordée" in html and "claire.martin@embrun.fr" in html
    assert len(mail.outbox) == 1
    home = Client(HTTP_HOST="embrun.localhost").get("/")
    assert home.status_code == 200 and "Embrun" in home.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "test-a"}, "L&#x27;identifiant « test-a » est déjà pris."),
        ({"insee_code": "05023"}, "Briançon est déjà raccordée"),
        ({"referent_email": "claire@"}, "Saisissez une adresse électronique valide."),
        ({"services": []}, "Choisissez au moins une application."),
    ],
)
def test_the_wizard_returns_french_form_errors(
    reference, admin_client, tenant_a, tenant_b, overrides, message
):
    response = admin_client.post("/operateur/raccorder/", wizard_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Collectivite.objects.filter(slug="embrun").exists()


def test_the_wizard_is_for_platform_admins_only(operator, user_factory, client_a):
    client = Client(HTTP_HOST="localhost")
    assert client.get("/operateur/raccorder/").status_code == 302  # to the login page
    client.force_login(user_factory())
    assert client.get("/operateur/raccorder/").status_code == 403
    admin = user_factory(is_platform_admin=True)
    client_a.force_login(admin)
    assert client_a.get("/operateur/raccorder/").status_code == 404  # not on a commune's host


def test_the_command_uses_the_same_service(reference, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "onboard_commune",
            "05139",
            "--referent-email",
            "mairie@devoluy.fr",
            "--services",
            "sve",
        )
    commune = Collectivite.objects.get(insee_code="05139")
    assert (commune.slug, commune.services) == ("saint-etienne-en-devoluy", ["sve"])
    assert Membership.objects.get(collectivite=commune).role == "admin"
    with pytest.raises(CommandError, match="déjà raccordée"):
        call_command("onboard_commune", "05139", "--slug", "autre", "--referent-email", "a@b.fr")
