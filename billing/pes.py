"""PES V2 *Recette* file ("PES_Aller") for the public accountant (Hélios), with the titres'
PDFs attached (PES_PJ) and the invoice data Chorus Pro needs (PES_Facture, "ASAP").

Element names and order follow the public descriptions of the PES V2 aller flow (envelope,
EnTetePES, PES_RecetteAller with EnTeteRecette then one Bordereau per batch: BlocBordereau,
Piece with BlocPiece and LigneDePiece holding BlocLignePiece and Tiers). The official XSD of
the public-finance administration was not reachable while writing this: the file is tested
against its structure (tests/billing/test_pes.py), not validated against the schema. The
nomenclature codes (CatTiers, NatJur, product codes) must be checked with the accountant.
"""

import base64
import re
from datetime import date
from xml.etree import ElementTree as ET

from billing.models import Titre
from billing.money import decimal_euros
from billing.text import ascii_upper

# Bordereau types (TypBord): 01 ordinary, 02 annulation/réduction. Pièce nature (NatPce):
# 01 fonctionnement, 06 annulation-réduction, 08 réémis (the new titre of a correction).
# A cancellation and a re-issued titre name the first titre in a RattachPiece block of each
# line (NatPceOrig, ExerRat, IdPceOrig, IdLigneOrig). To check with the accountant: the
# triplets TypBord/TypPce/NatPce 02/01/06 and 01/01/08 (see BILLING-NOTES.md).
TYP_BORD = {Titre.Kind.TITRE: "01", Titre.Kind.ANNULATION: "02", Titre.Kind.REDUCTION: "02"}
NAT_PCE = {Titre.Kind.TITRE: "01", Titre.Kind.ANNULATION: "06", Titre.Kind.REDUCTION: "06"}
NAT_PCE_REISSUED = "08"
# Debtor category and legal nature by kind of collectivité (to check with the accountant).
CAT_TIERS = {"commune": "23", "epci": "24", "departement": "22", "region": "21"}
NAT_JUR = {"commune": "03", "epci": "04", "departement": "02", "region": "01"}


def _v(parent: ET.Element, tag: str, value) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.set("V", str(value))
    return element


def _postcode_city(address: str) -> tuple[str, str, str]:
    """(street, postcode, city) of a free-text French address, best effort."""
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    for index in range(len(lines) - 1, -1, -1):
        match = re.match(r"^(\d{5})\s+(.+)$", lines[index])
        if match:
            return " ".join(lines[:index]), match.group(1), match.group(2)
    return " ".join(lines), "", ""


def pes_filename(*, issuer: dict, year: int, batch: str, today: date) -> str:
    return f"PES_R_{issuer['siret']}_{year}_{batch}_{today:%Y%m%d}.xml"


def pes_recette(*, titres: list[Titre], issuer: dict, batch: str, today: date) -> bytes:
    """The PES_Aller document for ``titres`` (lines, ``corrects`` and ``replaces`` loaded;
    PDFs stored). ``batch`` names the file: "C0003" for campaign 3, "A00042" for the
    correction whose cancellation is titre 42.

    Each bordereau is numbered by the lowest titre number it carries: every titre goes in
    exactly one file (a campaign's, or its correction's), so bordereau numbers never repeat
    within a year whatever the order in which files are produced."""
    year = titres[0].year if titres else today.year
    root = ET.Element("PES_Aller")
    envelope = ET.SubElement(root, "Enveloppe")
    params = ET.SubElement(envelope, "Parametres")
    _v(params, "Version", "2")
    _v(params, "TypFic", "PESALR2")
    _v(params, "NomFic", pes_filename(issuer=issuer, year=year, batch=batch, today=today))
    sender = ET.SubElement(envelope, "Emetteur")
    _v(sender, "Sigle", ascii_upper(issuer["name"])[:30])

    header = ET.SubElement(root, "EnTetePES")
    _v(header, "DteStr", today.isoformat())
    _v(header, "IdPost", issuer["post_id"])
    _v(header, "IdColl", issuer["siret"])
    _v(header, "CodCol", issuer["collectivity_code"])
    _v(header, "CodBud", issuer["budget_code"])
    _v(header, "LibelleColBud", ascii_upper(issuer["name"])[:38])

    recette = ET.SubElement(root, "PES_RecetteAller")
    head = ET.SubElement(recette, "EnTeteRecette")
    _v(head, "IdVer", "2")
    # 0: not dematerialised (1 requires an electronic signature of the bordereau).
    _v(head, "InfoDematerialisee", "0")

    groups: dict[str, list[Titre]] = {}
    for titre in titres:
        groups.setdefault(TYP_BORD[titre.kind], []).append(titre)
    for typ_bord, group in sorted(groups.items()):
        number = min(titre.number for titre in group)
        _bordereau(recette, group, typ_bord=typ_bord, number=number, issuer=issuer, today=today)

    _factures(root, titres, issuer=issuer)
    _attachments(root, titres)
    ET.indent(root)
    return ET.tostring(root, encoding="ISO-8859-1", xml_declaration=True)


def _bordereau(recette, titres, *, typ_bord: str, number: int, issuer: dict, today: date):
    bordereau = ET.SubElement(recette, "Bordereau")
    block = ET.SubElement(bordereau, "BlocBordereau")
    _v(block, "Exer", titres[0].year)
    _v(block, "IdBord", number)
    _v(block, "DteBordEm", today.isoformat())
    _v(block, "TypBord", typ_bord)
    _v(block, "NbrPce", len(titres))
    _v(block, "MtBordHT", decimal_euros(sum(t.total_ht_cents for t in titres)))
    vat = sum(t.total_vat_cents for t in titres)
    if vat:  # a VAT amount of 0.00 rejects the bordereau: the element is left out
        _v(block, "MtBordTVA", decimal_euros(vat))
    _v(block, "Obj", ascii_upper(titres[0].object)[:160])
    for titre in titres:
        _piece(bordereau, titre, issuer=issuer)


def _piece(bordereau, titre: Titre, *, issuer: dict):
    debtor = titre.debtor
    piece = ET.SubElement(bordereau, "Piece")
    block = ET.SubElement(piece, "BlocPiece")
    info = ET.SubElement(block, "InfoPce")
    _v(info, "IdPce", titre.number)
    _v(info, "TypPce", "01")
    _v(info, "NatPce", NAT_PCE_REISSUED if titre.replaces_id else NAT_PCE[titre.kind])
    _v(info, "Obj", ascii_upper(titre.object)[:160])
    # The titre a cancellation cancels, or the one a re-issued titre replaces.
    original = titre.corrects if titre.corrects_id else titre.replaces
    _v(info, "NumDette", titre.reference)
    if debtor.get("engagement_number"):
        _v(info, "NumEngagement", debtor["engagement_number"])
    if debtor.get("service_code"):
        _v(info, "CodServ", debtor["service_code"])
    pj = ET.SubElement(block, "PJRef")
    _v(pj, "Support", "01")  # electronic
    _v(pj, "IdUnique", _pj_id(titre))
    _v(pj, "NomPJ", titre.filename)
    for line in titre.lines.all():
        ligne = ET.SubElement(piece, "LigneDePiece")
        bloc = ET.SubElement(ligne, "BlocLignePiece")
        info_ligne = ET.SubElement(bloc, "InfoLignePiece")
        _v(info_ligne, "IdLigne", line.position)
        _v(info_ligne, "ObjLignePce", ascii_upper(line.label)[:160])
        _v(info_ligne, "CodProdLoc", (line.application or "SERVICE")[:4].upper())
        _v(info_ligne, "Nature", issuer["revenue_nature"])
        _v(info_ligne, "Fonction", issuer["function_code"])
        _v(info_ligne, "Majo", "0")
        _v(info_ligne, "TvaIntraCom", "0")
        _v(info_ligne, "MtHT", decimal_euros(line.amount_ht_cents))
        _v(info_ligne, "TauxTVA", f"{line.vat_rate_bp / 100:.2f}")
        if line.vat_cents:  # absent, or above 0.00 (0.00 rejects the bordereau)
            _v(info_ligne, "MtTVA", decimal_euros(line.vat_cents))
        if original is not None:
            rattach = ET.SubElement(bloc, "RattachPiece")
            _v(rattach, "NatPceOrig", NAT_PCE[Titre.Kind.TITRE])
            _v(rattach, "ExerRat", original.year)
            _v(rattach, "IdPceOrig", original.number)
            if titre.corrects_id:  # the cancellation repeats the first titre's lines
                _v(rattach, "IdLigneOrig", line.position)
        tiers = ET.SubElement(ligne, "Tiers")
        info_tiers = ET.SubElement(tiers, "InfoTiers")
        if debtor.get("siret"):
            _v(info_tiers, "IdTiers", debtor["siret"])
            _v(info_tiers, "NatIdTiers", "03")  # SIRET
        _v(info_tiers, "RefTiers", debtor.get("siren") or debtor.get("insee_code", ""))
        _v(info_tiers, "CatTiers", CAT_TIERS.get(debtor.get("kind", ""), "23"))
        _v(info_tiers, "NatJur", NAT_JUR.get(debtor.get("kind", ""), "03"))
        _v(info_tiers, "TypTiers", "02")  # legal person
        _v(info_tiers, "Nom", ascii_upper(debtor["name"])[:38])
        street, postcode, city = _postcode_city(debtor.get("address", ""))
        adresse = ET.SubElement(tiers, "Adresse")
        _v(adresse, "TypAdr", "1")
        _v(adresse, "Adr2", ascii_upper(street)[:38] or ascii_upper(debtor["name"])[:38])
        _v(adresse, "CP", postcode)
        _v(adresse, "Ville", ascii_upper(city)[:38])
        _v(adresse, "CodRes", "0")


def _factures(root, titres: list[Titre], *, issuer: dict):
    """Invoice data (facture ASAP) Hélios deposits in Chorus Pro for public debtors."""
    factures = ET.SubElement(root, "PES_Facture")
    head = ET.SubElement(factures, "EnTeteFacture")
    _v(head, "IdVer", "1")
    for titre in titres:
        debtor = titre.debtor
        facture = ET.SubElement(factures, "Facture")
        info = ET.SubElement(facture, "InfoFacture")
        _v(info, "NumFacture", titre.reference)
        _v(info, "DteFacture", titre.issued_on.isoformat())
        _v(info, "TypFacture", "380" if titre.kind == Titre.Kind.TITRE else "381")
        _v(info, "IdPce", titre.number)
        _v(info, "SiretEmetteur", issuer["siret"])
        _v(info, "SiretDestinataire", debtor.get("siret", ""))
        _v(info, "CodeServiceDestinataire", debtor.get("service_code", ""))
        _v(info, "NumEngagement", debtor.get("engagement_number", ""))
        _v(info, "MtHT", decimal_euros(titre.total_ht_cents))
        _v(info, "MtTVA", decimal_euros(titre.total_vat_cents))
        _v(info, "MtTTC", decimal_euros(titre.total_ttc_cents))
        _v(info, "IdUniquePJ", _pj_id(titre))


def _attachments(root, titres: list[Titre]):
    pes_pj = ET.SubElement(root, "PES_PJ")
    head = ET.SubElement(pes_pj, "EnTetePES_PJ")
    _v(head, "IdVer", "1")
    for titre in titres:
        if titre.pdf is None:
            raise ValueError(f"Titre {titre.reference} : PDF non encore produit.")
        pj = ET.SubElement(pes_pj, "PJ")
        contenu = ET.SubElement(pj, "Contenu")
        fichier = ET.SubElement(contenu, "Fichier")
        fichier.set("MIMEType", "application/pdf")
        fichier.text = base64.b64encode(bytes(titre.pdf)).decode()
        _v(pj, "IdUnique", _pj_id(titre))
        _v(pj, "NomPJ", titre.filename)
        _v(pj, "TypePJ", "006")  # facture


def _pj_id(titre: Titre) -> str:
    return f"TITRE{titre.year}{titre.number:07d}"
