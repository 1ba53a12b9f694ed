"""Conventions' pages: the operator's list (query count pinned), creation and actions, the
commune admin's own agreements (another commune's is a 404), CSV and API."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conventions import services
from conventions.models import Convention, Notice
from tenants.models import Membership

State = Convention.State
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _signed(catalogue, collectivite, admin, seed="000", signed_on=date(2025, 3, 10)):
    convention = services.convention_create(
        model=catalogue[seed], collectivite=collectivite, acting_user=admin
    )
    return services.convention_sign(
        convention=convention, signed_on=signed_on, acting_user=admin, today=signed_on
    )


def test_the_list_query_count_does_not_grow_with_conventions(
    catalogue, collectivite_factory, platform_admin, admin_client, django_assert_num_queries
):
    def add(n):
        for _ in range(n):
            _signed(catalogue, collectivite_factory(), platform_admin)

    add(3)
    admin_client.get("/conventions/")
    # tenant, user, filter choices (models, applications), count, the page's rows, their
    # pending avenants, with one SET search_path per schema switch (TENANT_LIMIT_SET_CALLS; the session is cached)
    # Issue 22: + the staff-access gate's look-up of the session's second-factor device (kept in memory outside a test's transaction).
    with django_assert_num_queries(10):
        assert admin_client.get("/conventions/").status_code == 200
    add(5)
    with django_assert_num_queries(10):
        response = admin_client.get("/conventions/", {"state": "active"})
    assert response.content.decode().count("CONV-") >= 8
    # Filtered by deadline, the rows are read once (no count query).
    with django_assert_num_queries(9):
        assert admin_client.get("/conventions/", {"due_within": "90"}).status_code == 200


def test_the_list_filters_and_exports_csv(
    catalogue, tenant_a, tenant_b, platform_admin, admin_client
):
    _signed(catalogue, tenant_a, platform_admin)
    services.convention_create(
        model=catalogue["002"], collectivite=tenant_b, acting_user=platform_admin
    )

    def rows(**params):  # the results table
        return admin_client.get("/conventions/", params).content.decode().split("convention(s)")[1]

    assert "Commune B" in rows(state="draft") and "Commune A" not in rows(state="draft")
    marches = rows(application="marches-publics")
    assert "Commune B" in marches and "Commune A" not in marches
    response = admin_client.get("/conventions/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Référence;Collectivité;Modèle;État")
    assert "Commune A" in text and "Commune B" in text


def test_platform_admin_creates_sends_signs_and_the_commune_admin_reads_it(
    catalogue, tenant_a, tenant_b, platform_admin, admin_client, member_factory
):
    response = admin_client.post(
        "/conventions/nouvelle/",
        {
            "model": catalogue["000"].pk,
            "collectivite": tenant_a.pk,
            "member_signatory": "Marie Dupont",
            "member_signatory_title": "Maire",
        },
    )
    convention = Convention.objects.get(collectivite=tenant_a)
    assert response.status_code == 302 and response["Location"] == f"/conventions/{convention.pk}/"
    admin_client.post(f"/conventions/{convention.pk}/action/send/")
    admin_client.post(
        f"/conventions/{convention.pk}/action/sign/",
        {"signed_on": "2025-03-10", "scan": SimpleUploadedFile("signee.pdf", PDF)},
    )
    convention.refresh_from_db()
    assert (convention.state, convention.signed_on) == (State.ACTIVE, date(2025, 3, 10))
    page = admin_client.get(f"/conventions/{convention.pk}/").content.decode()
    assert "Signature enregistrée" in page and "Chronologie" in page

    admin_a = member_factory(tenant_a, role=Membership.Role.ADMIN)
    client = Client(HTTP_HOST="test-a.localhost")
    client.force_login(admin_a)
    listing = client.get("/gestion/conventions/").content.decode()
    assert "Convention SVE du Département" in listing
    detail = client.get(f"/gestion/conventions/{convention.pk}/")
    assert detail.status_code == 200
    scan = convention.documents.get(kind="signed")
    download = client.get(f"/gestion/conventions/{convention.pk}/documents/{scan.pk}/")
    assert download.content == PDF

    # Another commune's admin does not even learn it exists; an agent is refused.
    admin_b = member_factory(tenant_b, role=Membership.Role.ADMIN)
    other = Client(HTTP_HOST="test-b.localhost")
    other.force_login(admin_b)
    assert other.get(f"/gestion/conventions/{convention.pk}/").status_code == 404
    agent = Client(HTTP_HOST="test-a.localhost")
    agent.force_login(member_factory(tenant_a))
    assert agent.get("/gestion/conventions/").status_code == 403


def test_only_platform_admins_reach_the_operator_pages_and_api(
    catalogue, tenant_a, platform_admin, admin_client, user_factory, operator
):
    _signed(catalogue, tenant_a, platform_admin)
    finance = Client(HTTP_HOST="localhost")
    finance.force_login(user_factory(is_finance=True))
    assert finance.get("/conventions/").status_code == 403
    assert finance.post("/conventions/nouvelle/", {}).status_code == 403
    assert finance.get("/api/conventions/").status_code == 403
    data = admin_client.get("/api/conventions/").json()
    assert data["count"] == 1
    assert data["results"][0]["collectivite"] == "test-a"
    assert {a["application"] for a in data["results"][0]["applications"]} == {"sve", "rendezvous"}


def test_the_commune_admin_files_a_notice_and_sees_its_effect(
    catalogue, tenant_a, platform_admin, member_factory
):
    convention = _signed(catalogue, tenant_a, platform_admin)
    client = Client(HTTP_HOST="test-a.localhost")
    client.force_login(member_factory(tenant_a, role=Membership.Role.ADMIN))
    refused = client.post(f"/gestion/conventions/{convention.pk}/denoncer/", {}, follow=True)
    assert "Cochez la confirmation" in refused.content.decode()
    assert not Notice.objects.exists()
    response = client.post(
        f"/gestion/conventions/{convention.pk}/denoncer/", {"confirm": "on"}, follow=True
    )
    notice = Notice.objects.get()
    assert (notice.party, notice.means) == ("member", "portal")
    assert f"prendra fin le {notice.ends_on:%d/%m/%Y}" in response.content.decode()


@pytest.mark.parametrize("action", ["suspend", "resume", "send"])
def test_a_wrong_state_action_shows_a_french_error(
    catalogue, tenant_a, platform_admin, admin_client, action
):
    convention = services.convention_create(
        model=catalogue["000"], collectivite=tenant_a, acting_user=platform_admin
    )
    services.convention_send(convention=convention, acting_user=platform_admin)
    response = admin_client.post(
        f"/conventions/{convention.pk}/action/{action}/", {"reason": "x"}, follow=True
    )
    assert "Impossible de" in response.content.decode()
    convention.refresh_from_db()
    assert convention.state == State.SENT


def test_the_dashboard_lists_what_is_due_this_month(
    catalogue, tenant_a, platform_admin, admin_client
):
    from django.utils import timezone

    from portal.calendar import add_months

    today = timezone.localdate()
    # Anniversary in 3 months and 10 days: the last day to give notice is in 10 days.
    signed_on = add_months(add_months(today, 3) + timedelta(days=10), -12)
    _signed(catalogue, tenant_a, platform_admin, signed_on=signed_on)
    page = admin_client.get("/conventions/a-traiter/").content.decode()
    assert "Dernier jour de dénonciation du membre" in page
    home = admin_client.get("/").content.decode()
    assert "Dernier jour de dénonciation du membre" in home


def test_the_onboarding_wizard_starts_a_draft_convention(catalogue, admin_client):
    from tenants.services.reference import CommuneRow, commune_reference_import

    commune_reference_import(
        rows=[CommuneRow("05046", "Embrun", "05", "210500468", ["05200"], 6387, 6733)],
        population_year=2023,
    )
    response = admin_client.post(
        "/operateur/raccorder/",
        {
            "insee_code": "05046",
            "slug": "embrun-conv",
            "services": ["sve"],
            "convention_model": catalogue["000"].pk,
            "referent_first_name": "Claire",
            "referent_last_name": "Martin",
            "referent_email": "claire@embrun.fr",
        },
    )
    assert response.status_code == 302
    convention = Convention.objects.get(collectivite__slug="embrun-conv")
    assert convention.state == State.DRAFT
    assert [c.application.code for c in convention.coverages.all()] == ["sve"]


def test_the_threshold_page_shows_progress_and_splits_a_refund(
    catalogue, collectivite_factory, platform_admin, admin_client
):
    conventions = []
    for euros in (300_000, 200_001):
        convention = services.convention_create(
            model=catalogue["004"],
            collectivite=collectivite_factory(),
            acting_user=platform_admin,
            commitment_cents=euros * 100,
        )
        conventions.append(
            services.convention_sign(
                convention=convention,
                signed_on=date(2019, 5, 2),
                acting_user=platform_admin,
                today=date(2019, 5, 2),
            )
        )
    page = admin_client.get(f"/conventions/{conventions[0].pk}/", {"unused_euros": "1000.01"})
    text = page.content.decode()
    assert '<progress max="50000000" value="50000100">' in text
    # 100,001 cents shared 300,000 : 200,001 -> 60,000 + 40,001 (largest remainder).
    assert "<td>60000</td>" in text and "<td>40001</td>" in text


def test_the_back_office_says_why_applications_stopped(
    catalogue, tenant_a, platform_admin, member_factory
):
    convention = _signed(catalogue, tenant_a, platform_admin)
    services.notice_record(
        convention=convention,
        party="member",
        received_on=date(2025, 12, 1),
        means="registered_letter",
        acting_user=platform_admin,
    )
    services.conventions_daily(today=date(2026, 3, 10))
    client = Client(HTTP_HOST="test-a.localhost")
    client.force_login(member_factory(tenant_a, role=Membership.Role.ADMIN))
    page = client.get("/gestion/").content.decode()
    assert "Résiliée (dernier jour : 09/03/2026)" in page
    assert "Applications arrêtées à la fin de leur convention : Démarches en ligne (SVE)" in page


def test_the_list_filters_show_no_dashes(admin_client, catalogue):
    page = admin_client.get("/conventions/").content.decode()
    assert "---------" not in page and ">Tous<" in page and ">Toutes<" in page


def test_the_timeline_dates_read_in_french(catalogue, tenant_a, platform_admin, admin_client):
    convention = _signed(catalogue, tenant_a, platform_admin, signed_on=date(2025, 3, 10))
    page = admin_client.get(f"/conventions/{convention.pk}/").content.decode()
    table = page.split("<tbody>")[-1]
    assert "10 mars 2025" in page
    assert "2025-03-10" not in table


def test_the_operators_home_flags_a_deadline_already_past(
    catalogue, tenant_a, platform_admin, admin_client
):
    from django.utils import timezone

    convention = _signed(catalogue, tenant_a, platform_admin, signed_on=date(2025, 3, 10))
    covered = set(convention.coverages.values_list("application_id", flat=True))
    offered = list(catalogue["000"].applications.all())
    extra = [app for app in offered if app.pk not in covered][:1]
    today = timezone.localdate()
    amendment = services.amendment_request(
        convention=convention,
        add=extra,
        remove=[] if extra else [a for a in offered if a.pk in covered][:1],
        requested_on=today - timedelta(days=60),
        effective_on=today + timedelta(days=30),
        acting_user=platform_admin,
    )
    assert amendment.answer_due_on < today
    home = admin_client.get("/").content.decode()
    assert "Échéance dépassée" in home and f"Avenant n°{amendment.number}" in home
