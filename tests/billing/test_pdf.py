"""The titre's PDF states every mention a titre exécutoire needs, read back from its text."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from billing.liquidation import liquidate
from billing.models import Titre
from billing.services import titre_correct, titre_issue, titre_render
from billing.services.titres import issuer_snapshot

pytestmark = pytest.mark.django_db


def _text(titre: Titre) -> str:
    titre.refresh_from_db()
    reader = PdfReader(io.BytesIO(bytes(titre.pdf)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


def _laverune_titre(share_model):
    bill = next(
        m
        for m in liquidate(year=2026, model_ids=[share_model.pk]).members
        if m.convention.collectivite.name == "Lavérune"
    )
    titre = titre_issue(bill=bill, year=2026, issuer=issuer_snapshot(), today=date(2026, 9, 1))
    assert titre_render(titre_id=titre.pk, today=date(2026, 9, 1))
    assert not titre_render(titre_id=titre.pk)  # stored once
    return titre


def test_pdf_states_the_l1617_5_and_gbcp_mentions(laverune_setup, share_model):
    titre = _laverune_titre(share_model)
    text = _text(titre)
    expected = [
        # Issuer, its SIRET and address; who issues it (CGCT L1617-5 4°).
        "Syndicat mixte de test",
        "SIRET 25050001200017",
        "05000 Gap",
        "Claire Ordonnatrice, Présidente du syndicat mixte",
        # Debtor.
        "Débiteur : Lavérune",
        "SIREN 210500013",
        # Number, date, object, legal basis, imputation.
        "Titre de recette n° 2026-00001",
        "émis le 01/09/2026",
        "Participation 2026",
        "Convention CONV-",
        "Imputation budgétaire",
        # Bases of liquidation (GBCP art. 24), totals, VAT by rate.
        "1 000 hab. × (13 468,00 € − 6 734,00 €) ÷ 100 000 hab.",
        "67,34 €",
        "Total hors taxes 150,11 €",
        "TVA à 0 % sur 150,11 €",
        "150,11 €",
        # Due date, contest window, appeal routes, enforceability, payment details.
        "30 jours à compter de la notification",
        "8 jours francs",
        "finances@syndicat.example.fr",
        "deux mois",
        "le tribunal administratif de Marseille",
        "L1617-5",
        "L252 A du livre des procédures fiscales",
        "R2342-4",
        "Service de gestion comptable de Gap",
        "IBAN FR7630001007941234567890185",
    ]
    missing = [mention for mention in expected if mention not in text]
    assert missing == [], text


def test_cancellation_pdf_refers_to_the_first_titre(laverune_setup, share_model):
    titre = _laverune_titre(share_model)
    Titre.objects.filter(pk=titre.pk).update(notified_on=date(2026, 9, 1), mail_owed=False)
    annulation, new = titre_correct(titre=titre, reason="Erreur", acting_user=None)
    titre_render(titre_id=annulation.pk)
    titre_render(titre_id=new.pk)
    assert "annule le titre n° 2026-00001" in _text(annulation)
    assert "remplace le titre n° 2026-00001" in _text(new)


def test_pdf_states_its_due_date_and_the_court_the_email_agrees(
    laverune_setup, share_model, mailoutbox, django_capture_on_commit_callbacks
):
    """Seed 002 art. 5: payment within 30 days of the notification. The PDF prints the due
    date computed from the notification the platform records, the same as the e-mail;
    CGCT L1617-5 2°: the debt is contested before the tribunal administratif."""
    from billing.models import BillingProfile
    from billing.services import titre_send

    bill = next(
        m
        for m in liquidate(year=2026, model_ids=[share_model.pk]).members
        if m.convention.collectivite.name == "Lavérune"
    )
    BillingProfile.objects.create(
        collectivite=bill.convention.collectivite, email="compta@laverune.example.fr"
    )
    titre = titre_issue(bill=bill, year=2026, issuer=issuer_snapshot(), today=date(2026, 9, 1))
    assert titre_render(titre_id=titre.pk, today=date(2026, 9, 2))
    # The e-mail leaves a day later (a worker restarted): it keeps the recorded date.
    with django_capture_on_commit_callbacks(execute=True):
        assert titre_send(titre_id=titre.pk, today=date(2026, 9, 3))
    titre.refresh_from_db()
    assert titre.notified_on == date(2026, 9, 2) and titre.due_on == date(2026, 10, 2)
    text = _text(titre)
    assert "au plus tard le 02/10/2026" in text
    assert "devant le tribunal administratif de Marseille" in text
    assert "tribunal judiciaire" not in text
    (message,) = mailoutbox
    assert "au plus tard le 02/10/2026" in message.body


def test_the_titre_is_tagged_archivable_and_carries_its_liquidation(laverune_setup, share_model):
    """Issue 26: read back from the stored file: structure tree, PDF/A-3 and, embedded, the
    liquidation as JSON whose figures are the titre's."""
    import json

    from portal.sealed.models import SealedDocument
    from tests.pdf_structure import (
        accessibility_problems,
        attachments,
        pdfa_problems,
        seal_status,
    )

    titre = _laverune_titre(share_model)
    titre.refresh_from_db()
    content = bytes(titre.pdf)
    assert accessibility_problems(content, title="Titre de recette n° 2026-00001") == []
    assert pdfa_problems(content) == []
    files = attachments(content)
    assert list(files) == ["titre-2026-00001-liquidation.json"]
    liquidation = json.loads(files["titre-2026-00001-liquidation.json"])
    assert liquidation["reference"] == "2026-00001"
    assert liquidation["total_ttc_cents"] == titre.total_ttc_cents == 15011
    assert sum(line["amount_ttc_cents"] for line in liquidation["lines"]) == 15011
    assert liquidation["debtor"]["name"] == "Lavérune"
    status = seal_status(content)
    assert status.intact and status.valid and status.trusted
    assert SealedDocument.objects.get(sha256=titre.pdf_sha256).reference == "2026-00001"


def test_the_titre_is_verified_on_the_operators_host(
    laverune_setup, share_model, operator_client, client_a
):
    """Issue 26 §4: the titre names the page that verifies it; the operator's host says it
    issued it, a member's host does not."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    titre = _laverune_titre(share_model)
    assert "déposez-le sur http://localhost:8000/verifier/ (référence 2026-00001)" in _text(titre)

    def verify(client) -> str:
        uploaded = SimpleUploadedFile("titre.pdf", bytes(titre.pdf), "application/pdf")
        response = client.post("/verifier/", {"document": uploaded})
        return re.sub(r"\s+", " ", response.content.decode())

    assert "Document authentique" in verify(operator_client)
    assert "2026-00001" in verify(operator_client)
    assert "2026-00001" not in verify(client_a)
