"""PES V2 Recette files checked against the DGFiP PES technical dossier v5.19, encoded as a
rule table in tests/billing/pes_rules.py (the official XSD could not be fetched here): a
campaign, a correction, the Chorus Pro route and the dematerialised route."""

import base64
import copy
import gzip
import re
from datetime import date
from xml.etree import ElementTree as ET

import pytest
from django.core.exceptions import ValidationError

from billing.liquidation import liquidate
from billing.models import BillingProfile, Issuer, PesBordereau, Titre
from billing.services import titre_correct, titre_issue, titre_render
from billing.services.exports import pes_export
from billing.services.titres import issuer_snapshot
from portal.audit.models import HistoryEntry
from portal.audit.trail import SYSTEM_COMMAND
from tests.billing.pes_rules import NS_ALLER, check_recette, pj_contents

pytestmark = pytest.mark.django_db

LAVERUNE_SIRET = "21340130000016"  # made up, valid check digit (python-stdnum)
TALON_GAP = ["facture: TalonOptique2Lignes obligatoire (norme HEL)"]


def _issue(share_model, today=date(2026, 9, 1)) -> list[Titre]:
    issuer = issuer_snapshot()
    for bill in liquidate(year=2026, model_ids=[share_model.pk]).members:
        titre = titre_issue(bill=bill, year=2026, issuer=issuer, today=today)
        titre_render(titre_id=titre.pk, today=today)
    return _load(Titre.objects.all())


def _load(queryset) -> list[Titre]:
    return list(
        queryset.select_related("corrects", "replaces").prefetch_related("lines").order_by("number")
    )


def _export(titres, batch) -> ET.Element:
    content, _ = pes_export(
        acting_user=SYSTEM_COMMAND, titres=titres, batch=batch, today=date(2026, 9, 2)
    )
    assert content.startswith(b"<?xml version='1.0' encoding='ISO-8859-1'?>")
    return ET.fromstring(content)


def _correct(first: Titre) -> list[Titre]:
    annulation, new = titre_correct(titre=first, reason="Population", acting_user=None)
    for titre in (annulation, new):
        titre_render(titre_id=titre.pk)
    return _load(Titre.objects.filter(pk__in=[annulation.pk, new.pk]))


@pytest.fixture
def portal_series(issuer):
    """The accountant gave the portal bordereaux from 301 and titres from 5001 on budget 00
    (the Département's own software uses the numbers below)."""
    Issuer.objects.update(first_bordereau_number=301, first_piece_number=5001)


def test_campaign_file_follows_the_dossier(laverune_setup, share_model, portal_series):
    titres = _issue(share_model)
    assert [t.number for t in titres] == [5001, 5002, 5003]
    root = _export(titres, "C0001")
    assert check_recette(root) == []
    # PRINCIPES: the root qualified by the aller namespace, its children unqualified.
    assert root.tag == f"{{{NS_ALLER}}}PES_Aller"
    assert [child.tag for child in root] == [
        "Enveloppe",
        "EnTetePES",
        "PES_RecetteAller",
        "PES_PJ",
    ]
    # The envelope names the software, not the issuer; the header the issuer's codes.
    assert root.find("Enveloppe/Emetteur/Sigle").get("V") == "PORTAIL MUTUALISE"
    assert root.find("Enveloppe/Emetteur/Adresse").get("V").startswith("PORTAIL MUTUALISE")
    assert root.find("EnTetePES/IdColl").get("V") == "25050001200017"
    assert root.find("PES_RecetteAller/EnTeteRecette/InfoDematerialisee").get("V") == "0"
    (bordereau,) = root.findall("PES_RecetteAller/Bordereau")
    assert bordereau.get("Id") is None
    block = bordereau.find("BlocBordereau")
    assert block.find("IdBord").get("V") == "301"  # the portal's series
    assert block.find("MtBordHt").get("V") == "15011.00"  # the three shares of 150,11 €
    assert block.find("MtCumulAnnuel") is None
    piece = bordereau.find("Piece/BlocPiece")
    assert [piece.find(t).get("V") for t in ("IdPce", "TypPce", "NatPce")] == ["5001", "01", "01"]
    assert piece.find("Edition") is None  # no Chorus route set up
    info = bordereau.find("Piece/LigneDePiece/BlocLignePiece/InfoLignePiece")
    assert info.find("CodProdLoc").get("V") == "PART"
    tiers = bordereau.find("Piece/LigneDePiece/Tiers")
    assert [tiers.find(f"InfoTiers/{t}").get("V") for t in ("CatTiers", "NatJur", "TypTiers")] == [
        "23",
        "09",
        "01",
    ]
    # No SIRET in the member's billing profile: its SIREN, as such (02).
    assert tiers.find("InfoTiers/NatIdTiers").get("V") == "02"
    assert tiers.find("Adresse/CP").get("V") == re.search(r"\d{5}", titres[0].debtor["address"])[0]
    # PJ: gzip then base64, each with its description; the titre's PDF as stored.
    contents = pj_contents(root)
    for titre in titres:
        pj, content = contents[f"TITRE2026{titre.number:08d}"]
        assert content == bytes(titre.pdf)
        assert "bases de sa liquidation" in pj.find("Description").get("V")


def test_campaign_file_keeps_its_bordereau_number(laverune_setup, share_model, portal_series):
    titres = _issue(share_model)
    first = _export(titres, "C0001")
    again = _export(titres, "C0001")
    number = "PES_RecetteAller/Bordereau/BlocBordereau/IdBord"
    assert first.find(number).get("V") == again.find(number).get("V") == "301"
    assert PesBordereau.objects.count() == 1
    # Issue 22: numbering a bordereau is an accounting act, recorded once with its actor.
    (entry,) = HistoryEntry.objects.filter(action="billing.pes_numbered")
    assert entry.actor_label == SYSTEM_COMMAND.label and "n° 301" in entry.summary


def test_correction_file_uses_the_annex_triplets(laverune_setup, share_model, portal_series):
    titres = _issue(share_model)
    _export(titres, "C0001")  # takes ordinary bordereau 301
    first = titres[0]
    batch = _correct(first)
    annulation = next(t for t in batch if t.kind == Titre.Kind.ANNULATION)
    root = _export(batch, f"A{annulation.number:05d}")
    assert check_recette(root) == []
    ordinary, cancelling = root.findall("PES_RecetteAller/Bordereau")
    assert ordinary.find("BlocBordereau/IdBord").get("V") == "302"  # after the campaign's
    assert cancelling.find("BlocBordereau/IdBord").get("V") == "301"  # first of its type
    triplets = [
        (
            b.find("BlocBordereau/TypBord").get("V"),
            b.find("Piece/BlocPiece/TypPce").get("V"),
            b.find("Piece/BlocPiece/NatPce").get("V"),
        )
        for b in (cancelling, ordinary)
    ]
    assert triplets == [("02", "02", "06"), ("01", "02", "08")]
    for bordereau in (cancelling, ordinary):
        for rattach in bordereau.iter("RattachPiece"):
            assert rattach.find("NatPceOrig").get("V") == "01"
            assert rattach.find("ExerRat").get("V") == "2026"
            assert rattach.find("IdPceOrig").get("V") == str(first.number)
            assert int(rattach.find("IdLigneOrig").get("V")) >= 1


def test_chorus_route_attaches_the_asap_facture(laverune_setup, share_model, portal_series):
    laverune = laverune_setup[0].collectivite
    BillingProfile.objects.create(
        collectivite=laverune, siret=LAVERUNE_SIRET, engagement_number="EJ-2026-14"
    )
    Issuer.objects.update(
        chorus_asap=True,
        asap_ref_bdf="FR12ZZZ123456",
        encashment_centre_address="TSA 12345\n35908 Rennes Cedex 9",
    )
    titres = _issue(share_model)
    root = _export(titres, "C0001")
    # Every rule holds but the optical slip, whose HEL norm is not in the dossier (README).
    assert check_recette(root) == TALON_GAP
    laverune_titre = next(t for t in titres if t.debtor["name"] == "Lavérune")
    pieces = root.findall("PES_RecetteAller/Bordereau/Piece")
    chorus = [p for p in pieces if p.find("BlocPiece/Edition") is not None]
    assert len(chorus) == 1  # only the member with a SIRET
    piece = chorus[0].find("BlocPiece")
    assert piece.find("IdPce").get("V") == str(laverune_titre.number)
    assert piece.find("Edition").get("V") == "02"
    assert piece.find("NumeroFacture").get("V") == laverune_titre.reference
    assert piece.find("NumeroEngagement").get("V") == "EJ-2026-14"
    tiers = chorus[0].find("LigneDePiece/Tiers/InfoTiers")
    assert (tiers.find("IdTiers").get("V"), tiers.find("NatIdTiers").get("V")) == (
        LAVERUNE_SIRET,
        "01",
    )
    (asap_ref,) = [r for r in piece.findall("PJRef") if r.find("TypePJ") is not None]
    pj, content = pj_contents(root)[asap_ref.find("IdUnique").get("V")]
    assert pj.find("TypePJ").get("V") == "006"
    facture = ET.fromstring(content).find("PES_Facture")
    assert facture.find("TypeFact").get("V") == "09"
    assert facture.find("FactureIndiv/RefTitre/NumTitre").get("V") == str(laverune_titre.number)
    assert facture.find("FactureIndiv/TotalAPayer/MtTotalTTC").get("V") == "150.11"


def test_dematerialised_route_gives_ids_and_annual_cumul(
    laverune_setup, share_model, portal_series
):
    Issuer.objects.update(pes_dematerialised=True)
    titres = _issue(share_model)
    root = _export(titres, "C0001")
    assert check_recette(root) == []
    assert root.find("PES_RecetteAller/EnTeteRecette/InfoDematerialisee").get("V") == "1"
    (bordereau,) = root.findall("PES_RecetteAller/Bordereau")
    assert bordereau.get("Id") == "BORD2026T01N0000301"
    assert bordereau.find("BlocBordereau/MtCumulAnnuel").get("V") == "15011.00"
    assert root.find(".//PESSignatureGroup") is None  # the parapheur signs, not the portal
    batch = _correct(titres[0])
    annulation = next(t for t in batch if t.kind == Titre.Kind.ANNULATION)
    root = _export(batch, f"A{annulation.number:05d}")
    assert check_recette(root) == []
    ordinary = root.findall("PES_RecetteAller/Bordereau")[0].find("BlocBordereau")
    new = next(t for t in batch if t.kind == Titre.Kind.TITRE)
    cumul = f"{(15011_00 + new.total_ht_cents) / 100:.2f}"
    assert ordinary.find("MtCumulAnnuel").get("V") == cumul


def test_members_without_postal_address_refuse_the_export(laverune_setup, share_model):
    from tenants.models import Collectivite

    Collectivite.objects.filter(name__in=["Autre A", "Autre B"]).update(contact_address="Mairie")
    titres = _issue(share_model)
    with pytest.raises(ValidationError) as refused:
        pes_export(acting_user=SYSTEM_COMMAND, titres=titres, batch="C0001", today=date(2026, 9, 2))
    assert "Export PES impossible" in str(refused.value)
    assert "Autre A, Autre B" in str(refused.value) and "Lavérune" not in str(refused.value)
    assert not PesBordereau.objects.exists()  # nothing numbered


@pytest.mark.parametrize(
    "spoil, expected",
    [
        (lambda r: r.find(".//NatJur").set("V", "03"), "hors annexe 3"),
        (lambda r: r.find(".//TypBord").set("V", "02"), "hors de l'annexe 2"),
        (lambda r: r.find(".//CodProdLoc").set("V", "E-AD"), "Alphanum4"),
        (lambda r: r.find(".//BlocPiece").remove(r.find(".//ObjPce")), None),
        (lambda r: r.find(".//PJ").remove(r.find(".//PJ/Description")), "Description"),
        (lambda r: r.find(".//BlocBordereau/MtBordHt").set("V", "1.00"), "MtBordHt"),
        (lambda r: r.find(".//CP").set("V", ""), "code postal"),
        (lambda r: r.find(".//EnTetePES/IdPost").set("V", "5012"), "IdPost"),
        (
            lambda r: r.find(".//Fichier").__setattr__("text", r.find(".//PJ/IdUnique").get("V")),
            "gzip+base64",
        ),
        (lambda r: ET.SubElement(r.find(".//BlocPiece"), "NumDette").set("V", "1"), "NumDette"),
    ],
)
def test_the_rule_table_catches_what_hélios_rejects(laverune_setup, share_model, spoil, expected):
    root = _export(_issue(share_model), "C0001")
    spoiled = copy.deepcopy(root)
    spoil(spoiled)
    errors = check_recette(spoiled)
    if expected is None:  # ObjPce is optional: the table does not invent a rule
        assert errors == []
    else:
        assert any(expected in error for error in errors), errors


def test_attachments_are_gzip_compressed(laverune_setup, share_model):
    root = _export(_issue(share_model), "C0001")
    raw = base64.b64decode(root.find("PES_PJ/PJ/Contenu/Fichier").text)
    assert raw[:2] == b"\x1f\x8b" and gzip.decompress(raw).startswith(b"%PDF")
