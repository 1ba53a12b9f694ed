"""What a titre prints, as finance staff set it: the issuer, members' Chorus Pro
identification, seed 003 packages and complementary services; each change in one
transaction with its history entry, and the campaign preview warning on what is missing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.liquidation import liquidate
from billing.models import BillingProfile, ConventionPackage, Issuer, ServiceUsage
from billing.services import titre_issue, titre_render
from billing.services.settings import (
    billing_profile_save,
    convention_package_set,
    issuer_save,
    service_usage_delete,
    service_usage_record,
)
from billing.services.titres import issuer_snapshot
from portal.audit.history import history_verify
from portal.audit.models import HistoryEntry
from tests.billing.test_pdf import _text

pytestmark = pytest.mark.django_db

VALID_SIRET = "21050001300011"


def _entries(action: str):
    return list(HistoryEntry.objects.filter(stream="billing", action=action).order_by("seq"))


def _issuer_values(**changes) -> dict:
    return {
        "name": "Syndicat mixte",
        "siret": "25050001400015",
        "address": "1 place de la Préfecture\n05000 Gap",
        "signatory_first_name": "Claire",
        "signatory_last_name": "Ordonnatrice",
        "signatory_title": "Présidente",
        "contest_email": "finances@syndicat.example.fr",
        "accountant": "SGC de Gap",
        "accountant_address": "4 rue du Trésor\n05000 Gap",
        "iban": "FR7630001007941234567890185",
        "bic": "BDFEFRPPCCT",
        "court": "le tribunal administratif de Marseille",
        "product_code": "PART",
        "budget_code": "00",
        "collectivity_code": "001",
        "post_id": "005012",
        "revenue_nature": "70688",
        "function_code": "020",
        "cat_tiers": "24",
        "first_bordereau_number": 1,
        "first_piece_number": 1,
    } | changes


def test_issuer_saved_then_changed_with_old_and_new_values_in_history(user_factory):
    actor = user_factory(is_finance=True)
    with pytest.raises(ValidationError) as bad:
        issuer_save(values=_issuer_values(siret="25050001200017", iban="FR00"), acting_user=actor)
    assert "Ce numéro SIRET n'est pas valide" in str(bad.value)
    assert "Cet IBAN n'est pas valide." in str(bad.value)
    assert not Issuer.objects.exists() and not _entries("issuer_created")

    issuer_save(values=_issuer_values(), acting_user=actor)
    issuer_save(values=_issuer_values(signatory_last_name="Nouvelle"), acting_user=actor)
    issuer_save(
        values=_issuer_values(signatory_last_name="Nouvelle"), acting_user=actor
    )  # no change
    assert Issuer.objects.get().signatory == "Claire Nouvelle"
    assert len(_entries("issuer_created")) == 1
    (changed,) = _entries("issuer_changed")
    assert changed.payload["changes"] == {"signatory_last_name": ["Ordonnatrice", "Nouvelle"]}
    assert changed.actor_id == actor.pk
    assert history_verify(stream="billing") == []


def test_incomplete_issuer_blocks_the_campaign_and_the_snapshot(laverune_setup, share_model):
    Issuer.objects.update(signatory_title="", accountant="")
    liquidation = liquidate(year=2026, model_ids=[share_model.pk])
    (error,) = liquidation.errors
    assert error.startswith("Ordonnateur incomplet")
    assert "qualité de l'ordonnateur" in error and "comptable public" in error
    with pytest.raises(ValidationError, match="Ordonnateur incomplet"):
        issuer_snapshot()


def test_preview_warns_on_missing_chorus_identification(laverune_setup, share_model):
    laverune = laverune_setup[0].collectivite

    def warnings():
        bills = liquidate(year=2026, model_ids=[share_model.pk]).members
        return next(b for b in bills if b.convention.collectivite == laverune).warnings

    assert "SIRET du service débiteur (Chorus Pro) manquant" in warnings()
    with pytest.raises(ValidationError) as required:
        billing_profile_save(
            collectivite=laverune,
            values={"siret": VALID_SIRET, "engagement_required": True},
            acting_user=None,
        )
    assert required.value.message_dict == {
        "engagement_number": ["Ce membre exige un numéro d'engagement : indiquez-le."]
    }
    assert not BillingProfile.objects.exists()
    with pytest.raises(ValidationError, match="SIRET n'est pas valide"):
        billing_profile_save(collectivite=laverune, values={"siret": "123"}, acting_user=None)

    billing_profile_save(
        collectivite=laverune,
        values={"siret": VALID_SIRET, "service_code_required": True, "service_code": "FIN"},
        acting_user=None,
    )
    assert warnings() == []
    BillingProfile.objects.update(engagement_required=True)
    assert warnings() == ["numéro d'engagement exigé par le débiteur manquant"]
    (entry,) = _entries("billing_profile_saved")
    assert entry.payload["changes"]["siret"] == ["", VALID_SIRET]
    # The titre prints the debtor's identification as it was when issued.
    billing_profile_save(
        collectivite=laverune, values={"engagement_number": "EJ-2026-7"}, acting_user=None
    )
    bill = next(
        b
        for b in liquidate(year=2026, model_ids=[share_model.pk]).members
        if b.convention.collectivite == laverune
    )
    titre = titre_issue(bill=bill, year=2026, issuer=issuer_snapshot(), today=date(2026, 9, 1))
    assert titre.debtor["siret"] == VALID_SIRET
    assert titre.debtor["engagement_number"] == "EJ-2026-7"


def test_package_and_units_recorded_then_billed_with_their_bases(
    member, convention_for, issuer, packages_model, share_model
):
    convention = convention_for(member("Commune au forfait", 800), packages_model)
    with pytest.raises(ValidationError, match="Forfait « or » absent"):
        convention_package_set(
            convention=convention, package_code="or", decided_by="", acting_user=None
        )
    convention_package_set(
        convention=convention, package_code="technologie", decided_by="n° 2026-14", acting_user=None
    )
    convention_package_set(
        convention=convention, package_code="techno-plus", decided_by="n° 2026-20", acting_user=None
    )
    assert ConventionPackage.objects.get().package_code == "techno-plus"
    assert [e.payload["old"] for e in _entries("package_chosen")] == [
        None,
        ["technologie", "n° 2026-14"],
    ]

    bad = {"quantity": Decimal("0"), "service_code": "formation", "used_on": date(2025, 6, 1)}
    with pytest.raises(ValidationError) as errors:
        service_usage_record(convention=convention, note="", acting_user=None, **bad)
    assert set(errors.value.message_dict) == {"quantity", "service_code", "used_on"}
    assert not ServiceUsage.objects.exists()

    usage = service_usage_record(
        convention=convention,
        service_code="conseil",
        used_on=date(2026, 4, 2),
        quantity=Decimal("1.5"),
        note="Audit du parc",
        acting_user=None,
    )
    assert usage.year == 2026 and _entries("service_used")[0].payload["quantity"] == "1.5"
    (bill,) = liquidate(year=2026, model_ids=[packages_model.pk]).members
    assert [(line.label, line.basis, line.amount_cents) for line in bill.lines] == [
        (
            "Forfait Technologie Plus",
            "Forfait annuel « Technologie Plus » : 1\u202f800,00\u00a0€",
            180_000,
        ),
        (
            "Journée conseil en équipement",
            "1,5 journée(s) × 450,00\u00a0€ (02/04/2026, Audit du parc)",
            67_500,
        ),
    ]
    titre = titre_issue(bill=bill, year=2026, issuer=issuer_snapshot(), today=date(2026, 9, 1))
    # Seed 003 art. 22: the member receives a mémoire, the ampliation of the numbered titre.
    assert (titre.document, titre.label) == ("memoire", "Mémoire")
    assert _entries("titre_issued")[0].payload["document"] == "memoire"
    titre_render(titre_id=titre.pk)
    text = _text(titre)
    assert f"Mémoire n° {titre.reference}" in text
    assert f"est l'ampliation du titre de recette n° {titre.reference}" in text
    assert "1,5 journée(s) × 450,00 € (02/04/2026, Audit du parc)" in text
    with pytest.raises(ValidationError, match="se règle par une correction du titre"):
        service_usage_delete(usage=usage, acting_user=None)
    assert ServiceUsage.objects.filter(pk=usage.pk).exists()


def test_usage_deleted_before_billing_and_not_for_other_pricings(
    member, convention_for, issuer, packages_model, share_model
):
    convention = convention_for(member("Commune", 800), packages_model)
    usage = service_usage_record(
        convention=convention,
        service_code="conseil",
        used_on=date(2026, 5, 1),
        quantity=Decimal("2"),
        note="",
        acting_user=None,
    )
    service_usage_delete(usage=usage, acting_user=None)
    assert not ServiceUsage.objects.exists()
    with pytest.raises(ValidationError) as future:
        service_usage_record(
            convention=convention,
            service_code="conseil",
            used_on=date(2026, 5, 2),
            quantity=Decimal("1"),
            note="",
            acting_user=None,
            today=date(2026, 5, 1),
        )
    assert future.value.message_dict == {
        "used_on": ["Cette date est à venir : enregistrez la prestation une fois réalisée."]
    }
    assert _entries("service_usage_deleted")[0].payload["used_on"] == "2026-05-01"
    shared = convention_for(member("Commune partagée", 500), share_model)
    with pytest.raises(ValidationError, match="n'est pas tarifée par forfaits"):
        convention_package_set(
            convention=shared, package_code="technologie", decided_by="", acting_user=None
        )


def test_issuer_pes_codes_in_the_dossier_formats():
    """PES technical dossier v5.19 (DictionnaireDesDonneesAller_simples): what the
    accountant assigns is refused in any other format, with a French message."""
    bad = {
        "post_id": "5012",  # Base_TexteCodique7: 6 or 7 digits
        "collectivity_code": "1",  # Base_CodeCol3
        "budget_code": "0",  # Base_CodeBud2
        "product_code": "E-AD",  # Base_Alphanum4: no dash
        "revenue_nature": "7068A",  # Base_Num12
        "first_bordereau_number": 0,
    }
    with pytest.raises(ValidationError) as refused:
        issuer_save(values=_issuer_values(**bad), acting_user=None)
    assert set(refused.value.message_dict) == set(bad)
    assert "sans tiret ni espace" in str(refused.value)
    assert not Issuer.objects.exists()
    with pytest.raises(ValidationError) as chorus:
        issuer_save(values=_issuer_values(chorus_asap=True), acting_user=None)
    assert set(chorus.value.message_dict) == {"asap_ref_bdf", "encashment_centre_address"}
    with pytest.raises(ValidationError, match="Indiquez le tribunal"):
        issuer_save(values=_issuer_values(court="Gap"), acting_user=None)
    issuer_save(values=_issuer_values(post_id="0050120", product_code="E1"), acting_user=None)


def test_demo_issuer_passes_the_settings_validation():
    """The demo creates its issuer through the settings service: its SIRET has a valid
    check digit and its court is the tribunal administratif."""
    from stdnum.fr import siret

    from billing.demo import DEMO_ISSUER, seed_public
    from billing.selectors import court_warnings, issuer_problems

    seed_public()
    issuer = Issuer.objects.get()
    assert siret.is_valid(issuer.siret) and issuer.siret == DEMO_ISSUER["siret"]
    assert issuer.court == "le tribunal administratif de Marseille"
    assert issuer_problems(issuer) == [] and court_warnings(issuer.court) == []


def test_a_judicial_court_is_warned_about():
    from billing.selectors import court_warnings

    (warning,) = court_warnings("le tribunal judiciaire de Gap")
    assert "tribunal administratif" in warning and "R421-5" in warning
    assert court_warnings("le tribunal administratif de Marseille") == []
