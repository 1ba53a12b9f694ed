"""The exports page and the PES Recette file of a correction: the cancellation in an
annulation/réduction bordereau referring to the first titre, the new titre in an ordinary
bordereau, both PDFs attached. The official XSD is not available here: structure only."""

import base64
from datetime import date
from xml.etree import ElementTree as ET

import pytest

from billing.models import Titre
from billing.services import titre_correct, titre_render

pytestmark = pytest.mark.django_db


def _children(element) -> list[str]:
    return [child.tag for child in element]


@pytest.fixture
def corrected(issued, tenant_a):
    first = issued[tenant_a.pk]
    annulation, new = titre_correct(titre=first, reason="Population corrigée", actor=None)
    return first, annulation, new


def test_exports_page_lists_corrections_with_constant_queries(
    finance_client, corrected, issued, tenant_b, django_assert_num_queries
):
    first, annulation, new = corrected
    page = finance_client.get("/facturation/exports/").content.decode()
    assert annulation.reference in page and "PDF en cours de production" in page
    assert (
        finance_client.get(f"/facturation/exports/corrections/{annulation.pk}/pes.xml").status_code
        == 404
    )
    for titre in (annulation, new):
        titre_render(titre_id=titre.pk)
    # Issue 22: + the staff-access gate's look-up of the session's second-factor device (kept in memory outside a test's transaction).
    with django_assert_num_queries(8):
        page = finance_client.get("/facturation/exports/").content.decode()
    assert f"/facturation/exports/corrections/{annulation.pk}/pes.xml" in page
    for titre in titre_correct(titre=issued[tenant_b.pk], reason="Erreur", actor=None):
        titre_render(titre_id=titre.pk)
    with django_assert_num_queries(8):
        page = finance_client.get("/facturation/exports/").content.decode()
    assert page.count("Population corrigée") == 0 and page.count("/pes.xml") == 2


def test_correction_pes_file(finance_client, corrected):
    first, annulation, new = corrected
    for titre in (annulation, new):
        titre_render(titre_id=titre.pk)
    response = finance_client.get(f"/facturation/exports/corrections/{annulation.pk}/pes.xml")
    assert response["Content-Type"] == "application/xml"
    filename = f"PES_R_25050001200017_2026_A{annulation.number:05d}_"
    assert filename in response["Content-Disposition"]
    root = ET.fromstring(response.content)
    assert _children(root) == [
        "Enveloppe",
        "EnTetePES",
        "PES_RecetteAller",
        "PES_Facture",
        "PES_PJ",
    ]
    ordinary, cancelling = root.findall("PES_RecetteAller/Bordereau")
    assert ordinary.find("BlocBordereau/TypBord").get("V") == "01"
    assert cancelling.find("BlocBordereau/TypBord").get("V") == "02"
    # Bordereaux numbered by their first titre: never the number of the campaign's.
    assert cancelling.find("BlocBordereau/IdBord").get("V") == str(annulation.number)
    assert ordinary.find("BlocBordereau/IdBord").get("V") == str(new.number)
    assert first.number < annulation.number < new.number

    (cancel_piece,) = cancelling.findall("Piece")
    info = cancel_piece.find("BlocPiece/InfoPce")
    assert info.find("IdPce").get("V") == str(annulation.number)
    assert info.find("NatPce").get("V") == "06"
    assert cancelling.find("BlocBordereau/MtBordHT").get("V") == f"{first.total_ht_cents / 100:.2f}"
    lines = cancel_piece.findall("LigneDePiece/BlocLignePiece")
    assert len(lines) == first.lines.count()
    for position, line in enumerate(lines, start=1):
        rattach = line.find("RattachPiece")
        assert [
            rattach.find(t).get("V") for t in ("NatPceOrig", "ExerRat", "IdPceOrig", "IdLigneOrig")
        ] == [
            "01",
            "2026",
            str(first.number),
            str(position),
        ]
    (new_piece,) = ordinary.findall("Piece")
    assert new_piece.find("BlocPiece/InfoPce/NatPce").get("V") == "08"  # réémis
    for line in new_piece.findall("LigneDePiece/BlocLignePiece"):
        assert line.find("RattachPiece/IdPceOrig").get("V") == str(first.number)
        assert line.find("RattachPiece/IdLigneOrig") is None

    factures = root.findall("PES_Facture/Facture/InfoFacture")
    assert [(f.find("NumFacture").get("V"), f.find("TypFacture").get("V")) for f in factures] == [
        (annulation.reference, "381"),
        (new.reference, "380"),
    ]
    pdfs = [base64.b64decode(pj.find("Contenu/Fichier").text) for pj in root.findall("PES_PJ/PJ")]
    stored = {t.pk: bytes(t.pdf) for t in Titre.objects.filter(pk__in=[annulation.pk, new.pk])}
    assert pdfs == [stored[annulation.pk], stored[new.pk]]
    # No VAT on these lines: no zero VAT amount (a 0.00 MtTVA rejects the bordereau).
    assert root.find(".//InfoLignePiece/MtTVA") is None
    assert root.find(".//MtBordTVA") is None


def test_campaign_titres_never_in_a_correction_file(finance_client, corrected):
    first, annulation, new = corrected
    assert first.campaign_id is None or first.campaign_id != new.campaign_id
    assert new.campaign_id is None and annulation.campaign_id is None
    assert Titre.objects.filter(kind=Titre.Kind.ANNULATION, issued_on=date.today()).count() == 1
