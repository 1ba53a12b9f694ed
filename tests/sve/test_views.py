"""Pages: filing, following, the agents' table and request page, exports, isolation."""

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from sve import services
from sve.models import Document, JournalEntry, Request, Status
from tests.conftest import PASSWORD, in_tenant
from tests.sve.conftest import PDF, PNG, enabled_form, submit

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


def _identity(prefix="id"):
    return {
        f"{prefix}-last_name": "Durand",
        f"{prefix}-first_name": "Alix",
        f"{prefix}-postal_address": "2 place de l'Église",
        f"{prefix}-email": "alix@example.fr",
    }


def _file(name, content, mime):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=mime)


def test_catalogue_and_filing_without_account(client_a, tenant_a, form_a):
    page = client_a.get("/demarches/")
    assert "Demande de test" in page.content.decode()
    response = client_a.post(
        "/demarches/formulaire/demande-test/",
        {
            "action": "deposer",
            "f-objet": "Ma demande",
            "f-piece": _file("a.pdf", PDF, "application/pdf"),
            **_identity(),
        },
    )
    assert response.status_code == 302
    with in_tenant(tenant_a):
        req = Request.objects.get()
        assert req.status == Status.SUBMITTED and req.user is None
        assert req.documents.get(kind=Document.Kind.UPLOAD).filename == "a.pdf"
    page = client_a.get(response["Location"])
    body = page.content.decode()
    assert "Accusé d'enregistrement électronique" in body and req.reference in body


def test_filing_refuses_disguised_and_oversize_files_and_saves_nothing(
    client_a, tenant_a, form_a, settings
):
    disguised = client_a.post(
        "/demarches/formulaire/demande-test/",
        {
            "action": "deposer",
            "f-objet": "x",
            "f-piece": _file("a.pdf", PNG, "application/pdf"),
            **_identity(),
        },
    )
    assert disguised.status_code == 200
    assert "ne correspond pas à son contenu" in disguised.content.decode()
    exe = client_a.post(
        "/demarches/formulaire/demande-test/",
        {
            "action": "deposer",
            "f-objet": "x",
            "f-piece": _file("a.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf"),
            **_identity(),
        },
    )
    assert "type accepté" in exe.content.decode()
    settings.UPLOAD_MAX_BYTES = 50
    big = client_a.post(
        "/demarches/formulaire/demande-test/",
        {
            "action": "deposer",
            "f-objet": "x",
            "f-piece": _file("a.png", PNG, "image/png"),
            **_identity(),
        },
    )
    assert "taille maximale" in big.content.decode()
    missing = client_a.post(
        "/demarches/formulaire/demande-test/", {"action": "deposer", "f-objet": "", **_identity()}
    )
    assert "Ce champ est obligatoire" in missing.content.decode()
    with in_tenant(tenant_a):
        assert not Request.objects.exists() and not Document.objects.exists()


def test_draft_is_kept_and_resumed(client_a, tenant_a, form_a):
    response = client_a.post(
        "/demarches/formulaire/demande-test/", {"action": "brouillon", "f-objet": "À finir"}
    )
    assert response.status_code == 302 and "brouillon=" in response["Location"]
    page = client_a.get(response["Location"])
    assert "À finir" in page.content.decode()
    token = response["Location"].split("brouillon=")[1]
    done = client_a.post(
        "/demarches/formulaire/demande-test/",
        {"action": "deposer", "brouillon": token, "f-objet": "Fini", **_identity()},
    )
    assert done.status_code == 302
    with in_tenant(tenant_a):
        req = Request.objects.get()
        assert req.status == Status.SUBMITTED and req.data == {"objet": "Fini"}


def test_html_in_fields_is_escaped_on_pages(client_a, tenant_a, agent_a):
    with in_tenant(tenant_a):
        req = submit(
            enabled_form(),
            data={"objet": "<script>alert('x')</script>"},
            identity={
                "last_name": "<b>Nom</b>",
                "first_name": "P",
                "postal_address": "A",
                "email": "p@example.fr",
            },
        )
    for url, client in (
        (f"/demarches/suivi/{req.access_token}/", client_a),
        (f"/demarches/gestion/demandes/{req.pk}/", _login(client_a, agent_a)),
        ("/demarches/gestion/", client_a),
    ):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body and "<b>Nom</b>" not in body
    assert (
        "&lt;script&gt;" in client_a.get(f"/demarches/gestion/demandes/{req.pk}/").content.decode()
    )


def test_agent_qualifies_from_the_page_and_journal_records_the_opening(client_a, tenant_a, agent_a):
    with in_tenant(tenant_a):
        req = submit(enabled_form())
    _login(client_a, agent_a)
    assert client_a.get(f"/demarches/gestion/demandes/{req.pk}/").status_code == 200
    response = client_a.post(f"/demarches/gestion/demandes/{req.pk}/qualifier/", {"regime": "svr"})
    assert response.status_code == 302
    again = client_a.post(
        f"/demarches/gestion/demandes/{req.pk}/qualifier/", {"regime": "sva"}, follow=True
    )
    assert "impossible" in again.content.decode()
    with in_tenant(tenant_a):
        req.refresh_from_db()
        assert req.status == Status.ACKNOWLEDGED and req.regime == "svr"
        actions = list(req.journal.values_list("action", flat=True))
        assert actions[:3] == ["submitted", "opened", "qualified"]


def test_citizen_cannot_use_agent_pages(client_a, tenant_a, user_factory):
    with in_tenant(tenant_a):
        req = submit(enabled_form())
    anonymous = client_a.get(f"/demarches/gestion/demandes/{req.pk}/")
    assert anonymous.status_code == 302
    _login(client_a, user_factory())
    assert client_a.get(f"/demarches/gestion/demandes/{req.pk}/").status_code == 404
    assert (
        client_a.post(
            f"/demarches/gestion/demandes/{req.pk}/qualifier/", {"regime": "sva"}
        ).status_code
        == 404
    )
    with in_tenant(tenant_a):
        req.refresh_from_db()
        assert req.status == Status.SUBMITTED


def test_isolation_agent_of_a_gets_404_on_b(client_a, tenant_a, tenant_b, agent_a):
    with in_tenant(tenant_b):
        form = enabled_form()
        for _ in range(3):
            req_b = submit(form, files={"piece": _file("b.png", PNG, "image/png")})
        doc_b = req_b.documents.get()
    with in_tenant(tenant_a):
        assert not Request.objects.filter(pk=req_b.pk).exists()
    _login(client_a, agent_a)
    assert client_a.get(f"/demarches/gestion/demandes/{req_b.pk}/").status_code == 404
    assert (
        client_a.get(f"/demarches/gestion/demandes/{req_b.pk}/documents/{doc_b.pk}/").status_code
        == 404
    )
    assert client_a.get(f"/demarches/suivi/{req_b.access_token}/").status_code == 404
    assert (
        client_a.get(f"/demarches/suivi/{req_b.access_token}/documents/{doc_b.pk}/").status_code
        == 404
    )
    # On B's own host, A's agent is nobody.
    client_b = Client(HTTP_HOST="test-b.localhost")
    _login(client_b, agent_a)
    assert client_b.get(f"/demarches/gestion/demandes/{req_b.pk}/").status_code == 404
    assert (
        client_b.get(f"/demarches/gestion/demandes/{req_b.pk}/documents/{doc_b.pk}/").status_code
        == 404
    )
    assert client_b.get("/demarches/gestion/export.csv").status_code == 404
    export = client_a.get("/demarches/gestion/export.csv").content.decode()
    assert req_b.reference not in export


def test_exports_neutralise_formulas_and_are_journaled(client_a, tenant_a, agent_a):
    with in_tenant(tenant_a):
        submit(
            enabled_form(),
            identity={
                "last_name": '=HYPERLINK("http://x")',
                "first_name": "+1",
                "postal_address": "A",
                "email": "p@example.fr",
            },
        )
    _login(client_a, agent_a)
    content = client_a.get("/demarches/gestion/export.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[1][4] == '\'=HYPERLINK("http://x")' and rows[1][5] == "'+1"
    xlsx = client_a.get("/demarches/gestion/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=5).value == '\'=HYPERLINK("http://x")'
    assert sheet.cell(row=2, column=5).data_type == "s"
    with in_tenant(tenant_a):
        assert JournalEntry.objects.filter(action="exported").count() == 2


def test_dashboard_filters_and_bulk_actions(client_a, tenant_a, agent_a):
    with in_tenant(tenant_a):
        form = enabled_form()
        first = submit(
            form,
            identity={
                "last_name": "Dupont",
                "first_name": "A",
                "postal_address": "A",
                "email": "a@example.fr",
            },
        )
        second = submit(form)
    _login(client_a, agent_a)
    body = client_a.get("/demarches/gestion/?q=dupont").content.decode()
    assert first.reference in body and second.reference not in body
    body = client_a.get("/demarches/gestion/?ar=late").content.decode()
    assert first.reference not in body  # AR due in 10 working days
    client_a.post(
        "/demarches/gestion/lot/",
        {"ids": [first.pk, second.pk], "action": "assign", "assignee": agent_a.pk},
    )
    client_a.post(
        "/demarches/gestion/lot/", {"ids": [first.pk, second.pk], "action": "qualify_sva"}
    )
    with in_tenant(tenant_a):
        assert set(Request.objects.values_list("status", "assignee_id")) == {
            (Status.ACKNOWLEDGED, agent_a.pk)
        }
    body = client_a.get(f"/demarches/gestion/?assignee={agent_a.pk}&status=acknowledged")
    assert first.reference in body.content.decode()


def test_citizen_follows_pieces_and_messages(client_a, tenant_a, agent_a):
    from datetime import date, timedelta

    with in_tenant(tenant_a):
        req = submit(enabled_form())
        services.request_qualify(request=req, acting_user=agent_a, regime="sva")
        services.request_ask_pieces(
            request=req,
            acting_user=agent_a,
            items="Justificatif de domicile",
            due_on=date.today() + timedelta(days=15),
        )
    url = f"/demarches/suivi/{req.access_token}/"
    assert "Justificatif de domicile" in client_a.get(url).content.decode()
    # A refused file type: the error is shown and the comment typed is still there.
    refused = client_a.post(
        url + "completer/",
        {"comment": "Mon justificatif, voir page 2", "piece": _file("d.exe", b"MZ", "x/exe")},
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "field__error" in html and "Mon justificatif, voir page 2" in html
    refused = client_a.post(
        url + "message/",
        {"body": "Question sur mon dossier", "attachment": _file("m.exe", b"MZ", "x/exe")},
    )
    assert refused.status_code == 400 and "Question sur mon dossier" in refused.content.decode()
    client_a.post(
        url + "completer/", {"comment": "Voici", "piece": _file("d.png", PNG, "image/png")}
    )
    client_a.post(url + "message/", {"body": "Merci"})
    with in_tenant(tenant_a):
        req.refresh_from_db()
        assert req.status == Status.INSTRUCTION
        assert req.documents.filter(kind=Document.Kind.PIECE).count() == 1
        assert req.messages.count() == 2


def test_admin_enables_a_template_in_one_click_and_builds_a_form(
    client_a, tenant_a, admin_a, agent_a
):
    _login(client_a, agent_a)
    assert client_a.get("/demarches/gestion/formulaires/").status_code == 403
    _login(client_a, admin_a)
    client_a.post("/demarches/gestion/formulaires/modele/acte-naissance/")
    assert "acte de naissance" in client_a.get("/demarches/").content.decode()
    data = {
        "s-title": "Permis de végétaliser",
        "s-regime": "sva",
        "s-delay_months": "2",
        "s-delay_days": "0",
        "s-service_name": "Espaces verts",
        "s-service_address": "Place de la Mairie",
        "s-service_email": "espaces-verts@example.fr",
        "s-service_phone": "04 92 00 00 02",
        "champs-0-label": "Adresse",
        "champs-0-type": "address",
        "champs-0-required": "on",
        "champs-1-label": "Plantes",
        "champs-1-type": "group",
        "champs-1-sous-0-label": "Espèce",
        "champs-1-sous-0-type": "text",
        "champs-1-sous-1-label": "Quantité",
        "champs-1-sous-1-type": "number",
        "champs-2-label": "Photo",
        "champs-2-type": "file",
        "champs-2-allowed_types": ["image/png"],
        "champs-2-max_mb": "2",
        "champs-3-type": "text",  # an added row left empty
    }
    preview = client_a.post("/demarches/gestion/formulaires/nouveau/", {**data, "action": "apercu"})
    assert "Plantes n°1 — Espèce" in preview.content.decode()
    created = client_a.post(
        "/demarches/gestion/formulaires/nouveau/", {**data, "action": "publier"}
    )
    assert created.status_code == 302
    with in_tenant(tenant_a):
        from sve.models import Form

        form = Form.objects.get(slug="permis-de-vegetaliser")
        fields = form.current_version.fields
        assert [f["type"] for f in fields] == ["address", "group", "file"]
        assert fields[2]["max_bytes"] == 2 * 1024 * 1024
        # « Enregistrer et publier » put it online.
        assert form.is_enabled
        req = submit(form, data={"adresse": "ici"})
    data["s-title"] = "Permis de végétaliser (v2)"
    client_a.post(
        "/demarches/gestion/formulaires/permis-de-vegetaliser/", {**data, "action": "publier"}
    )
    with in_tenant(tenant_a):
        form.refresh_from_db()
        req.refresh_from_db()
        assert form.current_version.number == 2 and req.form_version.number == 1


def test_attestation_download_for_implicit_acceptance(
    client_a, tenant_a, eager_tasks, django_capture_on_commit_callbacks
):
    """Issue 26: the web never renders nor seals it. An acceptance that arose before the job
    owed its attestation gets it owed on the first ask; the worker makes it; the next ask
    hands it over."""
    with in_tenant(tenant_a):
        req = submit(enabled_form())
        Request.objects.filter(pk=req.pk).update(status=Status.IMPLICITLY_ACCEPTED)
    url = f"/demarches/suivi/{req.access_token}/attestation/"
    with django_capture_on_commit_callbacks() as queued:
        first = client_a.post(url, follow=True)
    assert "en cours de préparation" in first.content.decode()
    assert "Attestation d&#x27;acceptation implicite" in first.content.decode()
    with in_tenant(tenant_a):
        assert not Document.objects.filter(request=req, kind=Document.Kind.ATTESTATION).exists()
        for callback in queued:  # the worker's turn
            callback()
        assert Document.objects.filter(request=req, kind=Document.Kind.ATTESTATION).count() == 1
    response = client_a.post(url, follow=True)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_bulk_action_never_redirects_off_site(client_a, tenant_a, agent_a):
    with in_tenant(tenant_a):
        req = submit(enabled_form())
    _login(client_a, agent_a)
    response = client_a.post(
        "/demarches/gestion/lot/",
        {"ids": [req.pk], "action": "assign", "assignee": "", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/demarches/gestion/"


def test_anonymous_draft_gets_a_signed_expiring_resume_link_by_email(
    client_a, tenant_a, form_a, outbox, eager_tasks, django_capture_on_commit_callbacks
):
    import time_machine

    with django_capture_on_commit_callbacks(execute=True):
        saved = client_a.post(
            "/demarches/formulaire/demande-test/",
            {"action": "brouillon", "f-objet": "À finir", **_identity()},
            follow=True,
        )
    assert "Un lien pour le reprendre vous est envoyé" in saved.content.decode()
    [message] = outbox
    assert message.subject.startswith("[Commune A] Reprendre votre brouillon")
    link = next(line for line in message.body.splitlines() if "?reprendre=" in line)
    path = link.split("localhost:8000", 1)[-1] if "localhost:8000" in link else link
    path = path[path.index("/demarches/") :]
    # A fresh browser (no session, no account) resumes the draft from the link.
    fresh = Client(HTTP_HOST="test-a.localhost")
    resumed = fresh.get(path, follow=True)
    assert "À finir" in resumed.content.decode()
    # Forged or expired: refused with a French message, nothing shown.
    forged = fresh.get(path[:-3] + "xyz", follow=True).content.decode()
    assert "Ce lien de reprise a expiré ou n&#x27;est pas valide." in forged
    with time_machine.travel(timezone_now_plus(days=31)):
        late = fresh.get(path, follow=True).content.decode()
    assert "À finir" not in late and "expiré" in late


def timezone_now_plus(*, days):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(days=days)
