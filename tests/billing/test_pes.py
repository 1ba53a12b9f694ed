"""PES V2 Recette file: structure (order, cardinality), totals and attachments. The official
XSD is not available here: these tests check the structure the public descriptions give."""

import base64
from datetime import date
from xml.etree import ElementTree as ET

import pytest

from billing.liquidation import liquidate
from billing.models import Titre
from billing.pes import pes_recette
from billing.services import titre_issue, titre_render
from billing.services.titres import issuer_snapshot

pytestmark = pytest.mark.django_db


def _children(element) -> list[str]:
    return [child.tag for child in element]


@pytest.fixture
def pes(laverune_setup, share_model):
    issuer = issuer_snapshot()
    for bill in liquidate(year=2026, model_ids=[share_model.pk]).members:
        titre = titre_issue(bill=bill, year=2026, issuer=issuer, today=date(2026, 9, 1))
        titre_render(titre_id=titre.pk)
    titres = list(Titre.objects.prefetch_related("lines").order_by("number"))
    data = pes_recette(titres=titres, issuer=issuer, batch="C0001", today=date(2026, 9, 2))
    return ET.fromstring(data), titres, data


def test_envelope_header_and_blocks_in_order(pes):
    root, _, data = pes
    assert data.startswith(b"<?xml version='1.0' encoding='ISO-8859-1'?>")
    assert root.tag == "PES_Aller"
    assert _children(root) == [
        "Enveloppe",
        "EnTetePES",
        "PES_RecetteAller",
        "PES_Facture",
        "PES_PJ",
    ]
    assert _children(root.find("EnTetePES")) == [
        "DteStr",
        "IdPost",
        "IdColl",
        "CodCol",
        "CodBud",
        "LibelleColBud",
    ]
    assert root.find("EnTetePES/IdColl").get("V") == "25050001200017"
    head = root.find("PES_RecetteAller/EnTeteRecette")
    assert _children(head) == ["IdVer", "InfoDematerialisee"]
    assert head.find("IdVer").get("V") == "2"
    assert head.find("InfoDematerialisee").get("V") == "0"  # 1 would need a signature


def test_bordereau_pieces_lines_and_totals_add_up(pes):
    root, titres, _ = pes
    (bordereau,) = root.findall("PES_RecetteAller/Bordereau")
    block = bordereau.find("BlocBordereau")
    assert _children(block)[:5] == ["Exer", "IdBord", "DteBordEm", "TypBord", "NbrPce"]
    pieces = bordereau.findall("Piece")
    assert block.find("NbrPce").get("V") == str(len(pieces)) == "3"
    assert block.find("MtBordHT").get("V") == "15011.00"  # the three shares of 150,11 € ×100
    total_lines = 0
    for piece, titre in zip(pieces, titres, strict=True):
        assert _children(piece)[0] == "BlocPiece"
        assert piece.find("BlocPiece/InfoPce/IdPce").get("V") == str(titre.number)
        lines = piece.findall("LigneDePiece")
        assert len(lines) == titre.lines.count() >= 1
        for line in lines:
            assert _children(line) == ["BlocLignePiece", "Tiers"]
            info = line.find("BlocLignePiece/InfoLignePiece")
            assert _children(info)[:2] == ["IdLigne", "ObjLignePce"]
            total_lines += round(float(info.find("MtHT").get("V")) * 100)
            assert _children(line.find("Tiers")) == ["InfoTiers", "Adresse"]
            assert line.find("Tiers/InfoTiers/Nom").get("V") == titre.debtor[
                "name"
            ].upper().replace("É", "E")
    assert total_lines == sum(t.total_ht_cents for t in titres)


def test_pdfs_attached_and_facture_data(pes):
    root, titres, _ = pes
    pjs = root.findall("PES_PJ/PJ")
    assert len(pjs) == len(titres)
    for pj, titre in zip(pjs, titres, strict=True):
        assert base64.b64decode(pj.find("Contenu/Fichier").text) == bytes(titre.pdf)
        refs = [r.find("IdUnique").get("V") for r in root.iter("PJRef")]
        assert pj.find("IdUnique").get("V") in refs
        assert pj.find("NomPJ").get("V") == titre.filename
    factures = root.findall("PES_Facture/Facture")
    assert [f.find("InfoFacture/NumFacture").get("V") for f in factures] == [
        t.reference for t in titres
    ]
    assert (
        factures[0].find("InfoFacture/MtTTC").get("V") == f"{titres[0].total_ttc_cents / 100:.2f}"
    )


def test_cancellation_goes_in_its_own_bordereau_referring_to_the_first(pes):
    from billing.services import titre_correct

    _, titres, _ = pes
    first = titres[0]
    Titre.objects.filter(pk=first.pk).update(notified_on=date(2026, 9, 2), mail_owed=False)
    annulation, new = titre_correct(titre=first, reason="Erreur", actor=None)
    for titre in (annulation, new):
        titre_render(titre_id=titre.pk)
    batch = list(
        Titre.objects.filter(pk__in=[annulation.pk, new.pk])
        .select_related("corrects")
        .prefetch_related("lines")
        .order_by("number")
    )
    root = ET.fromstring(
        pes_recette(titres=batch, issuer=issuer_snapshot(), batch="A00002", today=date(2026, 9, 20))
    )
    bordereaux = root.findall("PES_RecetteAller/Bordereau")
    assert [b.find("BlocBordereau/TypBord").get("V") for b in bordereaux] == ["01", "02"]
    piece = bordereaux[1].find("Piece/BlocPiece/InfoPce")
    assert piece.find("NatPce").get("V") == "06"
    for line in bordereaux[1].findall("Piece/LigneDePiece/BlocLignePiece"):
        assert _children(line) == ["InfoLignePiece", "RattachPiece"]
        rattach = line.find("RattachPiece")
        assert _children(rattach) == ["NatPceOrig", "ExerRat", "IdPceOrig", "IdLigneOrig"]
        assert rattach.find("IdPceOrig").get("V") == str(first.number)
