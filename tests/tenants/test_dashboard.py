import csv
import io

import pytest
from django.test import Client

from portal.exports import spreadsheet_cell
from tenants.models import Collectivite, Membership


@pytest.fixture
def communes(reference, platform_admin):
    from tenants import services

    made = []
    for insee, slug, email in (
        ("05046", "embrun", "ref@embrun.fr"),
        ("05061", "gap", "ref@gap.fr"),
        ("05139", "devoluy", "ref@devoluy.fr"),
    ):
        made.append(
            services.commune_onboard(
                insee_code=insee,
                slug=slug,
                referent_email=email,
                services=["sve"] if slug == "gap" else ["sve", "rendezvous"],
            )
        )
    return made


def test_the_dashboard_lists_communes_with_their_details(communes, admin_client):
    html = admin_client.get("/operateur/").content.decode()
    for expected in ("Embrun", "6733", "ref@embrun.fr", "Prise de rendez-vous", "Active"):
        assert expected in html
    assert 'href="http://embrun.localhost/"' in html  # follows the port in use (80 here)
    assert 'href="/operateur/collectivites/embrun/"' in html


def test_search_and_filters(communes, admin_client, tenant_a):
    def names(**params):
        response = admin_client.get("/operateur/", params)
        return {c.name for c in response.context["collectivites"]}

    assert names(q="embr") == {"Embrun"}
    assert names(q="05061") == {"Gap"}
    assert names(application="rendezvous") >= {"Embrun", "Saint-Étienne-en-Dévoluy"}
    assert "Gap" not in names(application="rendezvous")
    assert names(departement="05", q="devoluy") == {"Saint-Étienne-en-Dévoluy"}
    Collectivite.objects.filter(slug="gap").update(status="suspended")
    assert names(statut="suspended") == {"Gap"}


def test_the_dashboard_query_count_does_not_grow_with_communes(
    reference, admin_client, django_assert_num_queries, tenant_a, tenant_b
):
    from tenants import services

    services.commune_onboard(insee_code="05046", slug="embrun", referent_email="a@embrun.fr")
    admin_client.get("/operateur/")
    # tenant lookup, user, count, page, domains, référents, the application catalogue
    # (conventions.Application), with one SET search_path per schema switch (the session comes from the cache)
    # Issue 22: + the staff-access gate's look-up of the session's second-factor device (kept in memory outside a test's transaction).
    with django_assert_num_queries(10):
        admin_client.get("/operateur/")
    services.commune_onboard(insee_code="05061", slug="gap", referent_email="a@gap.fr")
    services.commune_onboard(insee_code="05006", slug="argentiere", referent_email="a@arg.fr")
    with django_assert_num_queries(10):
        assert admin_client.get("/operateur/").status_code == 200
    with django_assert_num_queries(9):
        assert admin_client.get("/operateur/", {"format": "csv"}).status_code == 200


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+33", "'+33"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("Gap", "Gap"),
        (None, ""),
        (42, "42"),
    ],
)
def test_csv_cells_are_neutralised_against_formulas(value, cell):
    assert spreadsheet_cell(value) == cell


def test_csv_export(communes, admin_client, member_factory):
    embrun = communes[0]
    Collectivite.objects.filter(pk=embrun.pk).update(name="=cmd|' /C calc'!A0")
    member_factory(embrun, role=Membership.Role.AGENT)
    response = admin_client.get("/operateur/", {"format": "csv", "q": "05046"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Collectivité", "Code INSEE", "SIREN"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Collectivité"] == "'=cmd|' /C calc'!A0"
    assert row["Population totale"] == "6733"
    assert row["Référents"] == "ref@embrun.fr"
    assert row["Agents actifs"] == "2"
    assert row["Site"] == "embrun.localhost"


def test_the_dashboard_is_for_platform_admins(operator, user_factory):
    client = Client(HTTP_HOST="localhost")
    client.force_login(user_factory(is_finance=True))
    assert client.get("/operateur/").status_code == 403


def test_the_dashboard_and_the_home_page_go_a_page_at_a_time(
    communes, admin_client, django_assert_num_queries, tenant_a, tenant_b, monkeypatch
):
    from tenants import views_operator

    monkeypatch.setattr(views_operator, "PAGE_SIZE", 2)
    monkeypatch.setattr(views_operator, "HOME_PAGE_SIZE", 2)
    members = Collectivite.objects.members().count()
    assert members >= 5
    first = admin_client.get("/operateur/").content.decode()
    assert first.count('href="/operateur/collectivites/') == 2
    assert f"{members} collectivités" in first and "page=2" in first
    # (the session comes from the cache: no query for it; +1 for the application catalogue;
    # one SET search_path per schema switch)
    # Issue 22: + the staff-access gate's look-up of the session's second-factor device (kept in memory outside a test's transaction).
    with django_assert_num_queries(10):
        last = admin_client.get("/operateur/", {"page": 99}).content.decode()
    assert "Précédente" in last and "Suivante" not in last
    with django_assert_num_queries(10):
        filtered = admin_client.get("/operateur/", {"statut": "active", "page": 2})
    assert "statut=active&amp;page=1" in filtered.content.decode()

    # The public home page: user, count, page, domains (one SET search_path per switch), the
    # tenant lookup (the session comes from the cache); links from the prefetched domains; for
    # a platform admin, the conventions block (live conventions; none here, so no query for
    # their avenants).
    with django_assert_num_queries(9):
        home = admin_client.get("/").content.decode()
    assert home.count(".localhost") >= 2 and "Page 1 sur" in home
