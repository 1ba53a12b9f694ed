"""The exports page and the PES Recette file of a correction: the cancellation in an
annulation/réduction bordereau referring to the first titre, the new titre in an ordinary
bordereau, both PDFs attached. The official XSD is not available here: structure only."""

from datetime import date
from xml.etree import ElementTree as ET

import pytest

from billing.models import Titre
from billing.services import titre_correct, titre_render
from tests.billing.pes_rules import check_recette, pj_contents

pytestmark = pytest.mark.django_db


def _children(element) -> list[str]:
    return [child.tag for child in element]


@pytest.fixture
def corrected(issued, tenant_a):
    first = issued[tenant_a.pk]
    annulation, new = titre_correct(titre=first, reason="Population corrigée", acting_user=None)
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
    for titre in titre_correct(titre=issued[tenant_b.pk], reason="Erreur", acting_user=None):
        titre_render(titre_id=titre.pk)
    with django_assert_num_queries(8):
        page = finance_client.get("/facturation/exports/").content.decode()
    assert page.count("Population corrigée") == 0 and page.count("/pes.xml") == 2


def test_correction_pes_file(finance_client, corrected):
    """The file a finance officer downloads passes the dossier's rule table (test_pes.py
    checks each element); the cancellation cites the first titre in each line."""
    first, annulation, new = corrected
    for titre in (annulation, new):
        titre_render(titre_id=titre.pk)
    response = finance_client.get(f"/facturation/exports/corrections/{annulation.pk}/pes.xml")
    assert response["Content-Type"] == "application/xml"
    filename = f"PES_R_25050001200017_2026_A{annulation.number:05d}_"
    assert filename in response["Content-Disposition"]
    root = ET.fromstring(response.content)
    assert check_recette(root) == []
    ordinary, cancelling = root.findall("PES_RecetteAller/Bordereau")
    assert _children(ordinary.find("Piece/BlocPiece"))[:3] == ["IdPce", "TypPce", "NatPce"]
    (cancel_piece,) = cancelling.findall("Piece")
    assert cancel_piece.find("BlocPiece/IdPce").get("V") == str(annulation.number)
    lines = cancel_piece.findall("LigneDePiece/BlocLignePiece")
    assert len(lines) == first.lines.count()
    for position, line in enumerate(lines, start=1):
        assert line.find("RattachPiece/IdLigneOrig").get("V") == str(position)
    contents = [content for _, content in pj_contents(root).values()]
    stored = {t.pk: bytes(t.pdf) for t in Titre.objects.filter(pk__in=[annulation.pk, new.pk])}
    assert contents == [stored[annulation.pk], stored[new.pk]]
    # No VAT on these lines: no zero VAT amount (a 0.00 MtTVA rejects the bordereau).
    assert root.find(".//InfoLignePiece/MtTVA") is None
    assert root.find(".//MtBordTVA") is None
    # The printable bordereaux carry the same numbers, with the signature block.
    page = finance_client.get(f"/facturation/exports/corrections/{annulation.pk}/bordereaux/")
    text = page.content.decode()
    for bordereau in (ordinary, cancelling):
        number = bordereau.find("BlocBordereau/IdBord").get("V")
        assert f"Bordereau n° {number}" in text
    assert "Claire Ordonnatrice, Présidente du syndicat mixte" in text


def test_export_refused_with_the_members_lacking_an_address(finance_client, issued, tenant_a):
    from billing.models import BillingProfile, PesBordereau

    # The member's billing address has no postcode: the correction's titres print it.
    BillingProfile.objects.create(collectivite=tenant_a, address="Mairie, place du village")
    annulation, new = titre_correct(titre=issued[tenant_a.pk], reason="Erreur", acting_user=None)
    for titre in (annulation, new):
        titre_render(titre_id=titre.pk)
    url = f"/facturation/exports/corrections/{annulation.pk}/pes.xml"
    response = finance_client.get(url, follow=True)
    text = response.content.decode()
    assert "Export PES impossible" in text and tenant_a.name in text
    assert not PesBordereau.objects.exists()


def test_campaign_titres_never_in_a_correction_file(finance_client, corrected):
    first, annulation, new = corrected
    assert first.campaign_id is None or first.campaign_id != new.campaign_id
    assert new.campaign_id is None and annulation.campaign_id is None
    assert Titre.objects.filter(kind=Titre.Kind.ANNULATION, issued_on=date.today()).count() == 1
