"""Pages of the desk and of the members: who sees what, and lists whose query count does not
grow with the data."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from portal.audit.trail import SYSTEM_COMMAND
from support import services
from support.models import HelpArticle, SupportRequest
from tenants.models import Membership
from tests.support.conftest import TUESDAY_10

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(host, user):
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


def test_a_member_files_from_its_back_office_and_sees_the_due_time(referent):
    client = _client("test-a.localhost", referent)
    response = client.post(
        "/gestion/assistance/nouvelle/",
        {
            "subject": "Parapheur bloqué",
            "kind": "incident",
            "application": "",
            "description": "Le circuit de signature ne démarre plus.",
            "files": [SimpleUploadedFile("capture.pdf", PDF, content_type="application/pdf")],
        },
    )
    filed = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/gestion/assistance/{filed.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert filed.reference in page and "Prise en compte" in page and "capture.pdf" in page


def test_a_bad_filing_says_why_in_french_and_saves_nothing(referent):
    client = _client("test-a.localhost", referent)
    response = client.post(
        "/gestion/assistance/nouvelle/",
        {
            "subject": "Parapheur",
            "kind": "assistance",
            "description": "Voir pièce jointe.",
            "files": [SimpleUploadedFile("x.pdf", b"GIF89a....", content_type="application/pdf")],
        },
    )
    assert response.status_code == 200
    assert "ne correspond pas à son contenu" in response.content.decode() or "type accepté" in (
        response.content.decode()
    )
    assert not SupportRequest.objects.exists()


def test_a_member_never_reaches_another_members_request(file_request, member_factory, tenant_b):
    filed = file_request()
    other = member_factory(tenant_b, role=Membership.Role.ADMIN)
    client = _client("test-b.localhost", other)
    assert client.get(f"/gestion/assistance/{filed.reference}/").status_code == 404
    assert (
        client.post(
            f"/gestion/assistance/{filed.reference}/agir/", {"action": "reply", "body": "x"}
        ).status_code
        == 404
    )
    attachment_url = f"/gestion/assistance/{filed.reference}/pieces/1/"
    assert client.get(attachment_url).status_code == 404
    assert filed.reference not in client.get("/gestion/assistance/").content.decode()


def test_internal_notes_are_for_the_desk_only(file_request, desk_user, desk_client, referent):
    filed = file_request()
    services.support_request_reply(
        request=filed,
        user=desk_user,
        body="Note confidentielle éditeur",
        from_desk=True,
        internal=True,
    )
    member_page = _client("test-a.localhost", referent).get(
        f"/gestion/assistance/{filed.reference}/"
    )
    assert "Note confidentielle" not in member_page.content.decode()
    desk_page = desk_client.get(f"/operateur/assistance/{filed.reference}/")
    assert "Note confidentielle" in desk_page.content.decode()


def test_the_desk_is_closed_to_other_staff_and_to_member_hosts(operator, user_factory, referent):
    finance = user_factory(is_finance=True)
    assert _client("localhost", finance).get("/operateur/assistance/").status_code == 403
    assert _client("test-a.localhost", referent).get("/operateur/assistance/").status_code == 404
    assert Client(HTTP_HOST="localhost").get("/operateur/assistance/").status_code == 302
    admin = user_factory(is_platform_admin=True)
    assert _client("localhost", admin).get("/operateur/assistance/").status_code == 200


def test_the_desk_takes_a_request_and_sets_a_restoration_time(file_request, desk_client, desk_user):
    incident = file_request(kind="incident", now=TUESDAY_10 - timedelta(days=1))
    url = f"/operateur/assistance/{incident.reference}/agir/"
    desk_client.post(url, {"action": "take"})
    eta = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    desk_client.post(url, {"action": "eta", "eta": eta})
    incident.refresh_from_db()
    assert incident.status == "taken" and incident.taken_at is not None
    assert incident.restoration_eta is not None
    response = desk_client.post(url, {"action": "eta", "eta": "pas une date"}, follow=True)
    assert "Indiquez une date et une heure valides." in response.content.decode()


def test_the_queue_is_sorted_by_due_time_with_badges(file_request, desk_client):
    late = file_request(subject="En retard", now=TUESDAY_10 - timedelta(days=30))
    later = file_request(subject="Plus tard", now=TUESDAY_10 + timedelta(days=30))
    page = desk_client.get("/operateur/assistance/").content.decode()
    assert page.index(late.reference) < page.index(later.reference)
    assert "En retard" in page


def test_queue_query_count_does_not_grow(file_request, desk_client, django_assert_num_queries):
    for _ in range(3):
        file_request()
    desk_client.get("/operateur/assistance/")
    # The session comes from the cache (SESSION_ENGINE cached_db): no query for it.
    # Issue 22: + the staff-access gate's look-up of the session's second-factor device (kept in memory outside a test's transaction).
    with django_assert_num_queries(8) as captured:
        desk_client.get("/operateur/assistance/")
    for _ in range(20):
        file_request()
    with django_assert_num_queries(len(captured)):
        desk_client.get("/operateur/assistance/")


def test_member_list_query_count_does_not_grow(file_request, referent, django_assert_num_queries):
    client = _client("test-a.localhost", referent)
    file_request()
    client.get("/gestion/assistance/")
    # The session comes from the cache (SESSION_ENGINE cached_db): no query for it.
    # Issue 22: + the staff-access gate's look-ups (support role, second factor) (kept in memory outside a test's transaction).
    with django_assert_num_queries(8) as captured:
        client.get("/gestion/assistance/")
    for _ in range(15):
        file_request()
    with django_assert_num_queries(len(captured)):
        client.get("/gestion/assistance/")


def test_report_counts_taken_in_time_per_member_and_exports_csv(
    file_request, desk_client, desk_user, tenant_b, member_factory
):
    in_time = file_request()
    services.support_request_take(
        request=in_time, user=desk_user, now=TUESDAY_10 + timedelta(hours=1)
    )
    late = file_request()
    services.support_request_take(request=late, user=desk_user, now=TUESDAY_10 + timedelta(hours=5))
    other = member_factory(tenant_b, role=Membership.Role.ADMIN)
    services.support_request_file(
        collectivite=tenant_b,
        user=other,
        kind="incident",
        subject="=cmd()",
        description="Panne",
        now=TUESDAY_10,
    )
    page = desk_client.get("/operateur/assistance/rapport/?annee=2026&mois=11").content.decode()
    assert "Commune A" in page and "50 %" in page
    csv_text = desk_client.get(
        "/operateur/assistance/rapport/?annee=2026&mois=11&format=csv"
    ).content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[1].split(";")[1:7] == ["Commune A", "2", "1", "1", "0", "50,0"]
    assert lines[2].split(";")[1] == "Commune B"


def test_help_suggestions_ignore_accents(referent):
    services.help_article_save(
        acting_user=SYSTEM_COMMAND,
        article=HelpArticle(title="Réinitialiser le mot de passe du parapheur", body="Étapes…"),
    )
    services.help_article_save(
        acting_user=SYSTEM_COMMAND,
        article=HelpArticle(title="Brouillon", body="parapheur", is_published=False),
    )
    client = _client("test-a.localhost", referent)
    data = client.get(
        "/gestion/assistance/aide/suggestions/", {"q": "reinitialiser PARAPHEUR"}
    ).json()
    assert [a["title"] for a in data["articles"]] == ["Réinitialiser le mot de passe du parapheur"]


def test_the_desk_writes_a_help_article_for_one_application(desk_client):
    response = desk_client.post(
        "/operateur/assistance/aide/nouvel-article/",
        {
            "title": "Créer un rendez-vous",
            "application": "rendezvous",
            "body": "Étapes",
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    article = HelpArticle.objects.get()
    assert article.application == "rendezvous" and article.search_text.startswith("creer")
    bad = desk_client.post(
        "/operateur/assistance/aide/nouvel-article/",
        {"title": "X", "application": "inconnue", "body": "Y"},
    )
    assert bad.status_code == 200 and HelpArticle.objects.count() == 1


@pytest.mark.parametrize(
    "query", ["?suivi=²", "?suivi=99999999999999999999999", "?statut=x&type=y", "?page=-3"]
)
def test_the_queue_survives_odd_filters(desk_client, query):
    assert desk_client.get("/operateur/assistance/" + query).status_code == 200


@pytest.mark.parametrize(
    "query", ["?annee=²&mois=1", "?annee=99999&mois=13", "?mois=", "?annee=1e3"]
)
def test_the_report_survives_odd_periods(desk_client, query):
    assert desk_client.get("/operateur/assistance/rapport/" + query).status_code == 200


def test_assigning_to_an_odd_id_is_refused_quietly(file_request, desk_client):
    filed = file_request()
    response = desk_client.post(
        f"/operateur/assistance/{filed.reference}/agir/", {"action": "assign", "assignee": "²"}
    )
    assert response.status_code == 302
