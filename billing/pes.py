"""PES V2 *Recette* file ("PES_Aller") for the public accountant (Hélios): the titres in
their bordereaux, the titres' PDFs attached (PES_PJ) and, on the Chorus Pro route, the
ASAP invoice (PES_Facture, attached as a PJ of type 006).

The reference is the DGFiP's PES technical dossier, version 5.19, mirrored in the public
repository ClementChevrin/pes-handler under documentation/DosTech/. Every rule the writer
relies on is in the table just below, with the dossier page it comes from; the tests
(tests/billing/test_pes.py) check generated files against those rules, since the official
XSD files could not be fetched here.

Pages cited: PRINCIPES = PrincipesOrganisationDesSchemasXML_PESv2, DGA_BLOCS =
DomaineGlobalAller_blocscommuns, DGA_CODES = DomaineGlobalAller_codescommuns, DOMAINES =
DomainePESAller_domaines, REC_BLOCS / REC_CODES = PES_RecetteAller_blocs / _codes, PJ_BLOCS =
PES_PJAller_blocs, FACT_BLOCS / FACT_CODES = PES_FactureAller_blocs / _codes, ANNEXES =
Annexes, SIMPLES = DictionnaireDesDonneesAller_simples.
"""

import base64
import gzip
import re
from dataclasses import dataclass
from datetime import date
from xml.etree import ElementTree as ET

from django.core.exceptions import ValidationError

from billing.models import Titre
from billing.text import ascii_upper
from portal.money import decimal_euros

# --- The dossier's rules the writer relies on -------------------------------------------
# PRINCIPES: the root element is qualified by the PES v2 "aller" namespace (revision 0);
# every other element is unqualified (elementFormDefault "unqualified").
NS_ALLER = "http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller"
# DGA_BLOCS TParametres: Version "2"; TypFic "PESALR1" for a PES_Aller.
ENVELOPE_VERSION = "2"
FILE_TYPE = "PESALR1"
# DGA_BLOCS TCarteVisite: Sigle = the publishing software's editor (Base_Texte32), Adresse =
# the application's name and version (Base_Texte38), both mandatory.
SOFTWARE_EDITOR = "PORTAIL MUTUALISE"
SOFTWARE_NAME = "PORTAIL MUTUALISE 0.1.0"
# REC_BLOCS EnTeteRecette: IdVer "2"; InfoDematerialisee 1 only with an electronic
# signature (absent signature = flux rejected), 0 with a signature = flux rejected.
RECETTE_VERSION = "2"
# REC_BLOCS TBordereau: attribute Id mandatory when dematerialised (the signature's
# reference); TBlocBordereau: MtCumulAnnuel mandatory when dematerialised.
# ANNEXES annexe 2 (triplets TypBord / TypPce / NatPce allowed in recette):
#   01 01 01  ordinary bordereau, ordinary titre, fonctionnement (Edition 01/02 allowed: (5))
#   02 02 06  cancellation bordereau, corrective titre, annulation-réduction
#   01 02 08  ordinary bordereau, corrective titre, réémis (the new titre of a correction)
TRIPLET_TITRE = ("01", "01", "01")
TRIPLET_CANCELLATION = ("02", "02", "06")
TRIPLET_REISSUED = ("01", "02", "08")
# REC_BLOCS TRattachPiece: NatPceOrig 01 (titres); for 02 02 06 the block is mandatory and
# ExerRat equals the flux's Exer; IdLigneOrig >= 1 when NatPceOrig is 01.
NAT_PCE_ORIG_TITRE = "01"
# REC_BLOCS TBlocPiece Edition 02 (ASAP CPP, the Chorus Pro route): single debtor,
# NatIdTiers 01 with a valid SIRET, a PJRef to a PJ of type 006 holding a PES_Facture with
# TypeFact 09, and NumeroFacture (Base_NumFactureCPP20) in the BlocPiece. REC_CODES TEdition.
EDITION_CHORUS = "02"
# ANNEXES annexe 2 note (5): only these triplets may carry Edition 01 (and so 02, "idem").
EDITION_TRIPLETS = {("01", "01", n) for n in ("01", "02", "03", "04", "18", "11")}
# DGA_CODES TCatTiers and ANNEXES annexe 3: regions 21, departments 22, communes 23,
# groupings 24, each only with NatJur 09 (collectivité territoriale / EPL / EPS).
CAT_TIERS = {"region": "21", "departement": "22", "commune": "23", "epci": "24"}
NAT_JUR_PUBLIC = "09"
# DGA_CODES TTypTiersRecette: 01 principal debtor.
TYP_TIERS_DEBTOR = "01"
# DGA_CODES TNatIdTiers: 01 SIRET, 02 SIREN.
NAT_ID_SIRET, NAT_ID_SIREN = "01", "02"
# DGA_BLOCS TAdresse: TypAdr 1 principal; CP five digits (else the bordereau is rejected);
# CodRes 0 resident.
# DGA_BLOCS TPJReference: Support 01 electronic.
# PJ_BLOCS: EnTetePES_PJ IdVer "1"; PJ/Contenu/Fichier gzip-compressed then base64; IdUnique
# Base_Alphanum50; NomPJ "name.ext"; Description (Base_Texte250) mandatory; TypePJ 006 =
# PES Facture (DGA_CODES TPJ).
PJ_VERSION = "1"
PJ_TYPE_FACTURE = "006"
# FACT_BLOCS TPESFacture: IdVer "2", TypeFact 09 (ASAP, FACT_CODES); tiers 25 (centre
# d'encaissement, named "CENTRE D'ENCAISSEMENT" / "DES FINANCES PUBLIQUES") and 26 (the
# accountant's centre, with its bank account); TRefTitre NumLigne "1".
FACTURE_VERSION = "2"
FACTURE_TYPE_ASAP = "09"
# REC_BLOCS TInfoLignePiece: MtHT > 0 (else the bordereau is rejected); MtTVA absent or > 0,
# TxTva only with MtTVA; MtBordTVA absent or > 0; Majo and TvaIntraCom mandatory (0).


@dataclass(frozen=True)
class PostalAddress:
    """An address in the postal norm the PES uses (Base_Texte38 lines, five-digit CP)."""

    complement: str  # Adr1
    street: str  # Adr2
    postcode: str  # CP
    city: str  # Ville


def postal_address(text: str) -> PostalAddress | None:
    """The postal address of a free-text French address whose last line with a postcode is
    "NNNNN Town"; None when it has none (the PES rejects a bordereau without CP and town)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for index in range(len(lines) - 1, -1, -1):
        match = re.fullmatch(r"(\d{5})\s+(.+)", lines[index])
        if match:
            before = [ascii_upper(line)[:38] for line in lines[:index]]
            street = before[-1] if before else ""
            complement = " ".join(before[:-1])[:38]
            return PostalAddress(complement, street, match.group(1), ascii_upper(match.group(2)))
    return None


def triplet(titre: Titre) -> tuple[str, str, str]:
    """(TypBord, TypPce, NatPce) of a titre (ANNEXES annexe 2)."""
    if titre.kind in (Titre.Kind.ANNULATION, Titre.Kind.REDUCTION):
        return TRIPLET_CANCELLATION
    return TRIPLET_REISSUED if titre.replaces_id else TRIPLET_TITRE


def chorus_route(titre: Titre, issuer: dict) -> bool:
    """Hélios deposits this titre's ASAP in Chorus Pro (Edition 02): when the issuer has the
    route set up, the debtor has a SIRET, and the triplet may carry an Edition."""
    return bool(
        issuer.get("chorus_asap")
        and titre.debtor.get("siret")
        and triplet(titre) in EDITION_TRIPLETS
    )


def export_problems(titres: list[Titre]) -> list[str]:
    """Why the file cannot be made: members without a postal address (CP and town)."""
    missing = sorted(
        {t.debtor["name"] for t in titres if postal_address(t.debtor.get("address", "")) is None}
    )
    if not missing:
        return []
    return [
        "Export PES impossible : adresse postale sans code postal ni commune pour "
        + ", ".join(missing)
        + ". Complétez l'adresse de facturation de ces membres (dernière ligne « 05000 Gap »)."
    ]


def pes_filename(*, issuer: dict, year: int, batch: str, today: date) -> str:
    return f"PES_R_{issuer['siret']}_{year}_{batch}_{today:%Y%m%d}.xml"


@dataclass(frozen=True)
class BordereauNumber:
    number: int  # IdBord
    cumul_ht_cents: int  # MtCumulAnnuel: this bordereau and the earlier ones of its type


def _v(parent: ET.Element, tag: str, value) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.set("V", str(value))
    return element


def _text(value: str, length: int) -> str:
    return ascii_upper(value)[:length]


def _root() -> ET.Element:
    return ET.Element(f"{{{NS_ALLER}}}PES_Aller")


def _envelope_and_header(root, *, issuer: dict, filename: str, today: date) -> None:
    envelope = ET.SubElement(root, "Enveloppe")
    params = ET.SubElement(envelope, "Parametres")
    _v(params, "Version", ENVELOPE_VERSION)
    _v(params, "TypFic", FILE_TYPE)
    _v(params, "NomFic", filename[:100])
    sender = ET.SubElement(envelope, "Emetteur")
    _v(sender, "Sigle", SOFTWARE_EDITOR[:32])
    _v(sender, "Adresse", SOFTWARE_NAME[:38])
    header = ET.SubElement(root, "EnTetePES")
    _v(header, "DteStr", today.isoformat())
    _v(header, "IdPost", issuer["post_id"])
    _v(header, "IdColl", issuer["siret"])
    _v(header, "CodCol", issuer["collectivity_code"])
    _v(header, "CodBud", issuer["budget_code"])
    _v(header, "LibelleColBud", _text(issuer["name"], 38))


def _serialise(root: ET.Element) -> bytes:
    ET.register_namespace("n", NS_ALLER)
    ET.indent(root)
    return ET.tostring(root, encoding="ISO-8859-1", xml_declaration=True)


def pes_recette(
    *,
    titres: list[Titre],
    issuer: dict,
    batch: str,
    today: date,
    numbers: dict[str, BordereauNumber],
) -> bytes:
    """The PES_Aller document for ``titres`` (lines, ``corrects`` and ``replaces`` loaded;
    PDFs stored), one bordereau per TypBord numbered by ``numbers`` (TypBord -> number,
    assigned by billing.services.exports). ``batch`` names the file: "C0003" for campaign
    3, "A00042" for the correction whose cancellation is titre 42. Raises ValidationError
    (French) when a member has no postal address."""
    problems = export_problems(titres)
    if problems:
        raise ValidationError(problems)
    year = titres[0].year if titres else today.year
    root = _root()
    _envelope_and_header(
        root,
        issuer=issuer,
        filename=pes_filename(issuer=issuer, year=year, batch=batch, today=today),
        today=today,
    )
    recette = ET.SubElement(root, "PES_RecetteAller")
    head = ET.SubElement(recette, "EnTeteRecette")
    _v(head, "IdVer", RECETTE_VERSION)
    dematerialised = bool(issuer.get("pes_dematerialised"))
    _v(head, "InfoDematerialisee", "1" if dematerialised else "0")
    for typ_bord, group in bordereau_groups(titres).items():
        _bordereau(
            recette,
            group,
            typ_bord=typ_bord,
            number=numbers[typ_bord],
            issuer=issuer,
            today=today,
            dematerialised=dematerialised,
        )
    _attachments(root, titres, issuer=issuer, numbers=numbers, today=today)
    return _serialise(root)


def bordereau_groups(titres: list[Titre]) -> dict[str, list[Titre]]:
    """The titres of each bordereau, by TypBord (ordinary first)."""
    groups: dict[str, list[Titre]] = {}
    for titre in titres:
        groups.setdefault(triplet(titre)[0], []).append(titre)
    return dict(sorted(groups.items()))


def _positive_lines(titre: Titre) -> list:
    # REC_BLOCS TInfoLignePiece MtHT: no line at 0.00 (a line billed nothing is left out).
    return [line for line in titre.lines.all() if line.amount_ht_cents > 0]


def bordereau_id(*, year: int, typ_bord: str, number: int) -> str:
    """The bordereau's Id attribute (an XML ID, unique in the file) a signature refers to."""
    return f"BORD{year}T{typ_bord}N{number:07d}"


def _bordereau(recette, titres, *, typ_bord, number, issuer, today, dematerialised):
    bordereau = ET.SubElement(recette, "Bordereau")
    year = titres[0].year
    if dematerialised:
        bordereau.set("Id", bordereau_id(year=year, typ_bord=typ_bord, number=number.number))
    block = ET.SubElement(bordereau, "BlocBordereau")
    _v(block, "Exer", year)
    _v(block, "IdBord", number.number)
    _v(block, "DteBordEm", today.isoformat())
    _v(block, "TypBord", typ_bord)
    _v(block, "NbrPce", len(titres))
    if dematerialised:
        _v(block, "MtCumulAnnuel", decimal_euros(number.cumul_ht_cents))
    _v(block, "MtBordHt", decimal_euros(sum(t.total_ht_cents for t in titres)))
    vat = sum(t.total_vat_cents for t in titres)
    if vat:
        _v(block, "MtBordTVA", decimal_euros(vat))
    for titre in titres:
        _piece(bordereau, titre, issuer=issuer)


def _piece(bordereau, titre: Titre, *, issuer: dict):
    debtor = titre.debtor
    _, typ_pce, nat_pce = triplet(titre)
    chorus = chorus_route(titre, issuer)
    piece = ET.SubElement(bordereau, "Piece")
    block = ET.SubElement(piece, "BlocPiece")
    _v(block, "IdPce", titre.number)
    _v(block, "TypPce", typ_pce)
    _v(block, "NatPce", nat_pce)
    if chorus:
        _v(block, "Edition", EDITION_CHORUS)
    _v(block, "ObjPce", _text(titre.object, 160))
    pj = ET.SubElement(block, "PJRef")
    _v(pj, "Support", "01")
    _v(pj, "IdUnique", pj_id(titre))
    _v(pj, "NomPJ", titre.filename)
    if chorus:
        asap = ET.SubElement(block, "PJRef")
        _v(asap, "Support", "01")
        _v(asap, "IdUnique", asap_id(titre))
        _v(asap, "NomPJ", asap_filename(titre))
        _v(asap, "TypePJ", PJ_TYPE_FACTURE)
        _v(block, "NumeroFacture", titre.reference)
        if debtor.get("engagement_number"):
            _v(block, "NumeroEngagement", debtor["engagement_number"][:50])
        if debtor.get("service_code"):
            _v(block, "CodeService", debtor["service_code"][:100])
    original = titre.corrects if titre.corrects_id else titre.replaces
    original_lines = original.lines.count() if original is not None else 0
    for line in _positive_lines(titre):
        ligne = ET.SubElement(piece, "LigneDePiece")
        bloc = ET.SubElement(ligne, "BlocLignePiece")
        info = ET.SubElement(bloc, "InfoLignePiece")
        _v(info, "IdLigne", line.position)
        _v(info, "ObjLignePce", _text(line.label, 160))
        _v(info, "CodProdLoc", issuer["product_code"])
        _v(info, "Nature", issuer["revenue_nature"])
        if issuer.get("function_code"):
            _v(info, "Fonction", issuer["function_code"])
        if line.vat_cents:
            _v(info, "TxTva", f"{line.vat_rate_bp / 100:.2f}")
        _v(info, "Majo", "0")
        _v(info, "TvaIntraCom", "0")
        _v(info, "MtHT", decimal_euros(line.amount_ht_cents))
        if line.vat_cents:
            _v(info, "MtTVA", decimal_euros(line.vat_cents))
        if original is not None:
            rattach = ET.SubElement(bloc, "RattachPiece")
            _v(rattach, "NatPceOrig", NAT_PCE_ORIG_TITRE)
            _v(rattach, "ExerRat", original.year)
            _v(rattach, "IdPceOrig", original.number)
            # A cancellation repeats the first titre's lines; a re-issued line refers to
            # the same line of the first titre, or its last one.
            _v(rattach, "IdLigneOrig", min(line.position, max(original_lines, 1)))
        _tiers(ligne, debtor)


def _tiers(parent, debtor: dict, *, tag: str = "Tiers") -> None:
    tiers = ET.SubElement(parent, tag)
    info = ET.SubElement(tiers, "InfoTiers")
    if debtor.get("siret"):
        _v(info, "IdTiers", debtor["siret"])
        _v(info, "NatIdTiers", NAT_ID_SIRET)
    elif debtor.get("siren"):
        _v(info, "IdTiers", debtor["siren"])
        _v(info, "NatIdTiers", NAT_ID_SIREN)
    reference = (debtor.get("insee_code") or debtor.get("siren") or "")[:30]
    if reference:  # the ordonnateur's own reference, grouping a debtor's debts
        _v(info, "RefTiers", reference)
    _v(info, "CatTiers", CAT_TIERS.get(debtor.get("kind", ""), CAT_TIERS["commune"]))
    _v(info, "NatJur", NAT_JUR_PUBLIC)
    _v(info, "TypTiers", TYP_TIERS_DEBTOR)
    _v(info, "Nom", _text(debtor["name"], 38))
    _address(tiers, postal_address(debtor.get("address", "")))


def _address(parent, address: PostalAddress, *, street: bool = True) -> None:
    adresse = ET.SubElement(parent, "Adresse")
    _v(adresse, "TypAdr", "1")
    if street and address.complement:
        _v(adresse, "Adr1", address.complement)
    if street:
        _v(adresse, "Adr2", address.street or address.city)
    elif address.street:  # FACT_BLOCS TAdresseFacture: the centre's TSA goes in Adr3
        _v(adresse, "Adr3", address.street)
    _v(adresse, "CP", address.postcode)
    _v(adresse, "Ville", address.city[:38])
    _v(adresse, "CodRes", "0")


def pj_id(titre: Titre) -> str:
    return f"TITRE{titre.year}{titre.number:08d}"


def asap_id(titre: Titre) -> str:
    return f"ASAP{titre.year}{titre.number:08d}"


def asap_filename(titre: Titre) -> str:
    return f"asap-{titre.reference}.xml"


def _pj(pes_pj, *, content: bytes, mime: str, unique: str, name: str, description: str, typ=""):
    pj = ET.SubElement(pes_pj, "PJ")
    contenu = ET.SubElement(pj, "Contenu")
    fichier = ET.SubElement(contenu, "Fichier")
    fichier.set("MIMEType", mime)
    fichier.text = base64.b64encode(gzip.compress(content, mtime=0)).decode()
    _v(pj, "IdUnique", unique)
    _v(pj, "NomPJ", name)
    if typ:
        _v(pj, "TypePJ", typ)
    _v(pj, "Description", description[:250])


def _attachments(root, titres: list[Titre], *, issuer: dict, numbers, today: date):
    pes_pj = ET.SubElement(root, "PES_PJ")
    head = ET.SubElement(pes_pj, "EnTetePES_PJ")
    _v(head, "IdVer", PJ_VERSION)
    for titre in titres:
        if titre.pdf is None:
            raise ValueError(f"Titre {titre.reference} : PDF non encore produit.")
        # The titre states the bases of its liquidation (convention, figures): GBCP art. 24.
        _pj(
            pes_pj,
            content=bytes(titre.pdf),
            mime="application/pdf",
            unique=pj_id(titre),
            name=titre.filename,
            description=f"{titre.label} n° {titre.reference} et bases de sa liquidation"
            f" ({titre.legal_basis})",
        )
        if chorus_route(titre, issuer):
            number = numbers[triplet(titre)[0]].number
            _pj(
                pes_pj,
                content=pes_facture(titre=titre, issuer=issuer, bordereau=number, today=today),
                mime="text/xml",
                unique=asap_id(titre),
                name=asap_filename(titre),
                description=f"Avis des sommes à payer du titre n° {titre.reference} (Chorus Pro)",
                typ=PJ_TYPE_FACTURE,
            )


def pes_facture(*, titre: Titre, issuer: dict, bordereau: int, today: date) -> bytes:
    """The ASAP invoice of one titre (FACT_BLOCS), as its own PES_Aller carrying a
    PES_Facture (DOMAINES), to be attached as a PJ of type 006. The optical payment slip
    (TalonOptique2Lignes, computed by the HEL norm, not published in the dossier) is not
    produced: see the README."""
    root = _root()
    _envelope_and_header(root, issuer=issuer, filename=asap_filename(titre), today=today)
    facture = ET.SubElement(root, "PES_Facture")
    _v(facture, "IdVer", FACTURE_VERSION)
    _v(facture, "Annee", titre.year)
    _v(facture, "TypeFact", FACTURE_TYPE_ASAP)
    _v(facture, "Date", titre.issued_on.isoformat())
    emitter = ET.SubElement(facture, "Emetteur")
    info = ET.SubElement(emitter, "InfoTiers")
    _v(info, "IdTiers", issuer["siret"])
    _v(info, "CatTiers", issuer.get("cat_tiers") or CAT_TIERS["departement"])
    _v(info, "NatJur", NAT_JUR_PUBLIC)
    _v(info, "TypTiers", "20")  # DGA_CODES TTypTiersFacture: émetteur
    _v(info, "Nom", _text(issuer["name"], 38))
    _address(emitter, postal_address(issuer["address"]))
    suppl = ET.SubElement(emitter, "InfoSuppl")
    _v(suppl, "AdresseMelEmetteur", issuer["contest_email"][:50])
    _v(suppl, "RefBdf", issuer["asap_ref_bdf"])
    signatory = ET.SubElement(emitter, "Signataire")
    person = ET.SubElement(signatory, "Personne")
    _v(person, "Nom", _text(issuer["signatory_last_name"], 38))
    _v(person, "Prenom", _text(issuer["signatory_first_name"], 38))
    _v(signatory, "Role", _text(issuer["signatory_title"], 50))
    centre = ET.SubElement(facture, "Tiers")
    info = ET.SubElement(centre, "InfoTiers")
    _v(info, "CatTiers", "20")
    _v(info, "NatJur", "07")
    _v(info, "TypTiers", "25")
    _v(info, "Nom", "CENTRE D'ENCAISSEMENT")
    _v(info, "ComplNom", "DES FINANCES PUBLIQUES")
    _address(centre, postal_address(issuer["encashment_centre_address"]), street=False)
    accountant = ET.SubElement(facture, "Tiers")
    info = ET.SubElement(accountant, "InfoTiers")
    _v(info, "CatTiers", "20")
    _v(info, "NatJur", "07")
    _v(info, "TypTiers", "26")
    _v(info, "Nom", _text(issuer["accountant"], 38))
    _address(accountant, postal_address(issuer["accountant_address"]))
    bank = ET.SubElement(accountant, "CpteBancaire")
    _v(bank, "BIC", issuer["bic"].upper())
    _v(bank, "IBAN", issuer["iban"].replace(" ", "").upper())
    indiv = ET.SubElement(facture, "FactureIndiv")
    _v(indiv, "DateEmission", titre.issued_on.isoformat())
    _v(indiv, "NumeroFacture", titre.reference)
    debtor = ET.SubElement(indiv, "Debiteur")
    info = ET.SubElement(debtor, "InfoTiers")
    _v(info, "IdTiers", titre.debtor["siret"])
    _v(info, "CatTiers", CAT_TIERS.get(titre.debtor.get("kind", ""), CAT_TIERS["commune"]))
    _v(info, "NatJur", NAT_JUR_PUBLIC)
    _v(info, "TypTiers", TYP_TIERS_DEBTOR)
    _v(info, "Nom", _text(titre.debtor["name"], 38))
    _address(debtor, postal_address(titre.debtor.get("address", "")))
    _v(indiv, "Objet", _text(titre.object, 160))
    for order, line in enumerate(_positive_lines(titre), start=1):
        ligne = ET.SubElement(indiv, "LigneFacture")
        _v(ligne, "DateDebut", date(titre.year, 1, 1).isoformat())
        _v(ligne, "DateFin", date(titre.year, 12, 31).isoformat())
        _v(ligne, "Libelle", _text(line.label, 200))
        _v(ligne, "Quantite", "1")
        _v(ligne, "MtUnitaire", decimal_euros(line.amount_ht_cents))
        _v(ligne, "MtHT", decimal_euros(line.amount_ht_cents))
        _v(ligne, "TauxTVA", f"{line.vat_rate_bp / 100:.2f}")
        _v(ligne, "MtTVA", decimal_euros(line.vat_cents))
        _v(ligne, "MtTTC", decimal_euros(line.amount_ttc_cents))
        _v(ligne, "Ordre", order)
    total = ET.SubElement(indiv, "TotalAPayer")
    _v(total, "MtTotalHT", decimal_euros(titre.total_ht_cents))
    _v(total, "MtTotalTVA", decimal_euros(titre.total_vat_cents))
    _v(total, "MtTotalTTC", decimal_euros(titre.total_ttc_cents))
    ref = ET.SubElement(indiv, "RefTitre")
    _v(ref, "Exercice", titre.year)
    _v(ref, "NumBordereau", bordereau)
    _v(ref, "NumTitre", titre.number)
    _v(ref, "NumLigne", "1")
    _v(indiv, "ModalitesReglement", "Virement au comptable public (Chorus Pro)")
    _v(
        indiv,
        "ModalitesContestation",
        _text("Dans les deux mois suivant la reception du titre, devant " + issuer["court"], 420),
    )
    _v(indiv, "ModeRecouvrement", "1")
    _v(indiv, "ConditionsGen", _text(titre.legal_basis, 250))
    ET.SubElement(facture, "Nomenclatures")
    return _serialise(root)
