"""The DGFiP PES technical dossier v5.19 (documentation/DosTech/ of the public repository
ClementChevrin/pes-handler), as a rule table for the elements the portal emits, and a
checker. The official XSD files could not be fetched here: this table is what the files
are checked against instead. Each type names its dossier page; simple types are those of
DictionnaireDesDonneesAller_simples; codes those of the *_codes pages; cross rules those of
the element descriptions and the Annexes page.

A type's children: (tag, min, max, kind) in the dossier's order; kind is another type's
name or a simple type / enumeration (see SIMPLE). N = unbounded."""

import base64
import gzip
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree as ET

from stdnum.fr import siren, siret

N = 10**9
NS_ALLER = "http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller"  # PRINCIPES page


def _num(digits: int):
    return lambda v: re.fullmatch(rf"\d{{1,{digits}}}", v) is not None


def _num_light(digits: int):
    return lambda v: re.fullmatch(rf"\d{{0,{digits}}}", v) is not None


def _text(high: int, low: int = 1):
    return lambda v: low <= len(v) <= high and v == v.strip()


def _alnum(high: int):
    return lambda v: re.fullmatch(rf"[0-9a-zA-Z]{{1,{high}}}", v) is not None


def _decimal(total: int, places: int):
    def check(v: str) -> bool:
        if not re.fullmatch(r"-?\d+(\.\d+)?", v):
            return False
        try:
            value = Decimal(v)
        except InvalidOperation:
            return False
        sign, digits, exponent = value.as_tuple()
        return -exponent <= places and len(digits) <= total

    return check


def _date(v: str) -> bool:
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return len(v) == 10


def _enum(*values: str):
    return lambda v: v in values


SIMPLE = {
    "Num1": _num(1),
    "Num2": _num(2),
    "Num3": _num(3),
    "Num4": _num(4),
    "Num5": _num(5),
    "Num6": _num(6),
    "Num7": _num(7),
    "Num8": _num(8),
    "Num12": _num(12),
    "Num13": _num(13),
    "Num15": _num(15),
    "Num6_NonVide": lambda v: re.fullmatch(r"\d{1,6}", v) is not None,
    "Num10_Light": _num_light(10),
    "Num14_Light": _num_light(14),
    "Num5_Light": _num_light(5),
    "Annee": lambda v: re.fullmatch(r"\d{4}", v) is not None,
    "Date": _date,
    "Booleen": _enum("0", "1", "true", "false"),
    "Montant": _decimal(14, 2),
    "Taux": _decimal(5, 2),
    "Quantite": _decimal(6, 4),
    "Texte5": _text(5),
    "Texte10": _text(10),
    "Texte11": _text(11),
    "Texte30": _text(30),
    "Texte32": _text(32),
    "Texte38": _text(38),
    "Texte50": _text(50),
    "Texte100": _text(100),
    "Texte100_Light": _text(100, 0),
    "Texte160": _text(160),
    "Texte200": _text(200),
    "Texte250": _text(250),
    "Texte420": _text(420),
    "Texte4_80": _text(80, 4),
    "Alphanum4": _alnum(4),
    "Alphanum13": _alnum(13),
    "Alphanum18": _alnum(18),
    "Alphanum50": _alnum(50),
    "CodeCol3": lambda v: re.fullmatch(r"[0-9]{3}", v) is not None,
    "CodeBud2": lambda v: re.fullmatch(r"[0-9A-Z][0-9]", v) is not None,
    "TexteCodique7": lambda v: re.fullmatch(r"02[A-B][0-9]{3,4}|[0-9]{6,7}", v) is not None,
    "NomPJ": lambda v: len(v) <= 100 and re.fullmatch(r".+\.[A-Za-z0-9]{2,4}", v) is not None,
    "NumFactureCPP20": lambda v: re.fullmatch(r"[ \-/_+0-9a-zA-Z]{1,20}", v) is not None,
    "IBAN": lambda v: re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}", v) is not None,
    "BIC": lambda v: re.fullmatch(r"[A-Z0-9]{8}([A-Z0-9]{3})?", v) is not None,
    # Codes (DomaineGlobalAller_codescommuns, PES_RecetteAller_codes, PES_FactureAller_codes).
    "TTypAdr": _enum("0", "1", "2"),
    "TSupport": _enum("01", "02", "03"),
    "TPJ": _enum(*(f"{n:03d}" for n in range(1, 14))),
    "TCatTiers": _enum(
        "01",
        "20",
        "21",
        "22",
        "23",
        "24",
        "25",
        "26",
        "27",
        "28",
        "29",
        "50",
        "60",
        "61",
        "62",
        "63",
        "64",
        "65",
        "70",
        "71",
        "72",
        "73",
        "74",
    ),  # fmt: skip
    "TNatJur": _enum(*(f"{n:02d}" for n in range(1, 12))),
    "TNatIdTiers": _enum(*(f"{n:02d}" for n in range(1, 13))),
    "TTypTiers": _enum(
        "01",
        "02",
        "03",
        "04",
        "05",
        "06",
        "07",
        "10",
        "11",
        "12",
        "13",
        "14",
        "15",
        "20",
        "21",
        "22",
        "23",
        "24",
        "25",
        "26",
        "30",
    ),  # fmt: skip
    "TTypBordAller": _enum("01", "02", "03", "06"),
    "TTypPce": _enum("01", "02", "03", "04", "05", "06", "07", "09", "10", "11", "12", "14", "15"),
    "TNatPce": _enum(*(f"{n:02d}" for n in range(1, 12)), "18"),
    "TNatPceOrig": _enum("01", "02", "03", "05"),
    "TEdition": _enum("01", "02", "03", "04", "05", "06"),
    "TTypeFacture": _enum(*(f"{n:02d}" for n in range(1, 11))),
    "Version2": _enum("2"),
    "Version1": _enum("1"),
    "Zero": _enum("0"),
    "One": _enum("1"),
    "TypFic": _enum("PESALR1"),
}

TYPES = {
    # DomainePESAller_domaines: PES_Aller.
    "PES_Aller": [
        ("Enveloppe", 1, 1, "TEnveloppe"),
        ("EnTetePES", 1, 1, "TEnTetePES"),
        ("PES_DepenseAller", 0, 1, None),
        ("PES_RecetteAller", 0, 1, "TPES_RecetteAller"),
        ("PES_Facture", 0, 1, "TPESFacture"),
        ("PES_Marche", 0, 1, None),
        ("PES_PJ", 0, 1, "TPES_PJs"),
        ("PESSignatureGroup", 0, 1, None),
    ],
    # DomaineGlobalAller_blocscommuns.
    "TEnveloppe": [
        ("Parametres", 1, 1, "TParametres"),
        ("Emetteur", 1, 1, "TCarteVisite"),
        ("Recepteur", 0, 1, None),
    ],
    "TParametres": [
        ("Version", 1, 1, "Version2"),
        ("TypFic", 1, 1, "TypFic"),
        ("NomFic", 1, 1, "Texte100"),
    ],
    "TCarteVisite": [("Sigle", 1, 1, "Texte32"), ("Adresse", 1, 1, "Texte38")],
    "TEnTetePES": [
        ("DteStr", 1, 1, "Date"),
        ("IdPost", 1, 1, "TexteCodique7"),
        ("LibellePoste", 0, 1, "Texte38"),
        ("IdColl", 1, 1, "Num14_Light"),
        ("FinJur", 0, 1, None),
        ("CodCol", 1, 1, "CodeCol3"),
        ("CodBud", 1, 1, "CodeBud2"),
        ("LibelleColBud", 0, 1, "Texte38"),
    ],
    "TAdresse": [
        ("TypAdr", 1, 1, "TTypAdr"),
        ("Adr1", 0, 1, "Texte38"),
        ("Adr2", 1, 1, "Texte38"),
        ("Adr3", 0, 1, "Texte38"),
        ("CP", 1, 1, "Num5_Light"),
        ("Ville", 1, 1, "Texte38"),
        ("CodRes", 1, 1, "Booleen"),
        ("CodPays", 0, 1, "Num3"),
        ("DteAdr", 0, 1, "Date"),
    ],
    "TPJReference": [
        ("Support", 1, 1, "TSupport"),
        ("IdUnique", 1, 1, "Alphanum50"),
        ("NomPJ", 0, 1, "Texte100"),
        ("TypePJ", 0, 1, "TPJ"),
    ],
    # PES_RecetteAller_blocs.
    "TPES_RecetteAller": [
        ("EnTeteRecette", 1, 1, "EnTeteRecette"),
        ("Bordereau", 1, N, "TBordereau"),
    ],
    "EnTeteRecette": [
        ("IdVer", 1, 1, "Version2"),
        ("InfoDematerialisee", 0, 1, "Booleen"),
    ],
    "TBordereau": [
        ("BlocBordereau", 1, 1, "TBlocBordereau"),
        ("Piece", 1, N, "TPiece"),
        ("PESSignatureGroup", 0, 1, None),
    ],
    "TBlocBordereau": [
        ("Exer", 1, 1, "Num4"),
        ("IdBord", 1, 1, "Num7"),
        ("DteBordEm", 1, 1, "Date"),
        ("TypBord", 1, 1, "TTypBordAller"),
        ("NbrPce", 1, 1, "Num5"),
        ("MtCumulAnnuel", 0, 1, "Montant"),
        ("MtBordHt", 1, 1, "Montant"),
        ("MtBordTVA", 0, 1, "Montant"),
        ("DteAsp", 0, 1, "Date"),
        ("Objet", 0, 1, "Texte160"),
    ],
    "TPiece": [("BlocPiece", 1, 1, "TBlocPiece"), ("LigneDePiece", 1, N, "TLigneDePiece")],
    "TBlocPiece": [
        ("CodServ", 0, 1, "Texte10"),
        ("Affect", 0, 1, "Texte10"),
        ("IdPce", 1, 1, "Num8"),
        ("TypPce", 1, 1, "TTypPce"),
        ("NatPce", 1, 1, "TNatPce"),
        ("IdRol", 0, 1, "Num7"),
        ("DteAsp", 0, 1, "Date"),
        ("Edition", 0, 1, "TEdition"),
        ("ObjPce", 0, 1, "Texte160"),
        ("DebFact", 0, 1, "Date"),
        ("FinFact", 0, 1, "Date"),
        ("NumDette", 0, 1, "Num15"),
        ("Per", 0, 1, None),
        ("Cle1", 0, 1, None),
        ("Cle2", 0, 1, None),
        ("PJRef", 0, N, "TPJReference"),
        ("NumeroFacture", 0, 1, "NumFactureCPP20"),
        ("NumeroMarche", 0, 1, "Texte50"),
        ("NumeroEngagement", 0, 1, "Texte50"),
        ("CodeService", 0, 1, "Texte100_Light"),
        ("NomService", 0, 1, "Texte100"),
    ],
    "TLigneDePiece": [
        ("BlocLignePiece", 1, 1, "TBlocLignePiece"),
        ("Tiers", 0, N, "TTiers"),
        ("Recouvrement", 0, N, None),
    ],
    "TBlocLignePiece": [
        ("InfoLignePiece", 1, 1, "TInfoLignePiece"),
        ("InfoPrelevement", 0, 1, None),
        ("InfoPrelevementSEPA", 0, 1, None),
        ("InfoAssure", 0, 1, None),
        ("RattachPiece", 0, 1, "TRattachPiece"),
        ("LiensIdent", 0, 1, None),
    ],
    "TInfoLignePiece": [
        ("IdLigne", 1, 1, "Num6"),
        ("ObjLignePce", 0, 1, "Texte160"),
        ("CodProdLoc", 1, 1, "Alphanum4"),
        ("FinGeo", 0, 1, None),
        ("CodEtGeo", 0, 1, None),
        ("Nature", 1, 1, "Num12"),
        ("Fonction", 0, 1, "Num10_Light"),
        ("Operation", 0, 1, None),
        ("TxTva", 0, 1, "Taux"),
        ("Majo", 1, 1, "Zero"),
        ("DteMajo", 0, 1, None),
        ("TxMajo", 0, 1, None),
        ("CpteTiers", 0, 1, None),
        ("TvaIntraCom", 1, 1, "Booleen"),
        ("TVAImportation", 0, 1, "Booleen"),
        ("MtHT", 1, 1, "Montant"),
        ("MtTVA", 0, 1, "Montant"),
        ("MtNonMajo", 0, 1, None),
        ("InfoCollBen", 0, 1, None),
        ("PJRef", 0, N, "TPJReference"),
    ],
    "TRattachPiece": [
        ("NatPceOrig", 1, 1, "TNatPceOrig"),
        ("ExerRat", 1, 1, "Annee"),
        ("IdPceOrig", 1, 1, "Num13"),
        ("IdLigneOrig", 0, 1, "Num6_NonVide"),
    ],
    "TTiers": [
        ("InfoTiers", 1, 1, "TInfoTiersRecette"),
        ("Adresse", 1, 1, "TAdresse"),
        ("CpteBancaire", 0, 1, None),
    ],
    "TInfoTiersRecette": [
        ("IdTiers", 0, 1, "Texte4_80"),
        ("DteNaissance", 0, 1, None),
        ("NatIdTiers", 0, 1, "TNatIdTiers"),
        ("DteIdTiers", 0, 1, "Date"),
        ("RefTiers", 0, 1, "Texte30"),
        ("CatTiers", 1, 1, "TCatTiers"),
        ("NatJur", 1, 1, "TNatJur"),
        ("TypTiers", 1, 1, "TTypTiers"),
        ("Civilite", 0, 1, None),
        ("Nom", 1, 1, "Texte38"),
        ("ComplNom", 0, 1, "Texte38"),
        ("Prenom", 0, 1, None),
        ("LieuNaissance", 0, 1, None),
    ],
    # PES_PJAller_blocs.
    "TPES_PJs": [("EnTetePES_PJ", 1, 1, "EnTetePES_PJ"), ("PJ", 0, N, "TPES_PJ")],
    "EnTetePES_PJ": [("IdVer", 1, 1, "Version1")],
    "TPES_PJ": [
        ("Contenu", 1, 1, "Contenu"),
        ("IdUnique", 1, 1, "Alphanum50"),
        ("ServeurId", 0, 1, None),
        ("NomPJ", 1, 1, "NomPJ"),
        ("TypePJ", 0, 1, "TPJ"),
        ("Description", 1, 1, "Texte250"),
        ("RefCompta", 0, N, None),
    ],
    "Contenu": [("Fichier", 1, 1, "Fichier")],
    # PES_FactureAller_blocs.
    "TPESFacture": [
        ("IdVer", 1, 1, "Version2"),
        ("Annee", 1, 1, "Annee"),
        ("NumSequence", 0, 1, "Num4"),
        ("TypeFact", 0, 1, "TTypeFacture"),
        ("Date", 1, 1, "Date"),
        ("Emetteur", 1, 1, "TTiersEmetteur"),
        ("Tiers", 0, 12, "TTiersFacture"),
        ("FactureIndiv", 1, N, "TFacturePESIndiv"),
        ("Nomenclatures", 1, 1, "TNomenclatureFacture"),
        ("RepartitionParNature", 0, 1, None),
    ],
    "TTiersEmetteur": [
        ("InfoTiers", 1, 1, "TInfoTiersFacture"),
        ("Adresse", 0, 1, "TAdresseFacture"),
        ("CptBancaire", 0, 1, None),
        ("InfoTVAEmetteur", 0, 1, None),
        ("InfoSuppl", 0, 1, "TInfoSuppl"),
        ("Signataire", 0, 1, "TSignataire"),
    ],
    "TInfoSuppl": [
        ("NumTel", 0, 1, None),
        ("HorairesOuv", 0, 1, None),
        ("CodeTipi", 0, 1, None),
        ("AdresseMelEmetteur", 0, 1, "Texte50"),
        ("AdrTipi", 0, 1, None),
        ("RefBdf", 0, 1, "Alphanum13"),
        ("InfoCode2D", 0, 1, None),
    ],
    "TSignataire": [("Personne", 1, 1, "TPersonneSignataire"), ("Role", 1, 1, "Texte50")],
    "TPersonneSignataire": [("Nom", 1, 1, "Texte38"), ("Prenom", 1, 1, "Texte38")],
    "TTiersFacture": [
        ("InfoTiers", 1, 1, "TInfoTiersFacture"),
        ("InfoSupplTiers", 0, 1, None),
        ("Adresse", 0, 1, "TAdresseFacture"),
        ("CpteBancaire", 0, 1, "TBancaireFacture"),
    ],
    "TInfoTiersFacture": [
        ("IdTiers", 0, 1, "Alphanum18"),
        ("NatIdTiers", 0, 1, "TNatIdTiers"),
        ("DteIdTiers", 0, 1, "Date"),
        ("RefTiers", 0, 1, "Texte30"),
        ("CatTiers", 1, 1, "TCatTiers"),
        ("NatJur", 1, 1, "TNatJur"),
        ("TypTiers", 1, 1, "TTypTiers"),
        ("Civilite", 0, 1, None),
        ("Nom", 1, 1, "Texte38"),
        ("ComplNom", 0, 1, "Texte38"),
        ("Prenom", 0, 1, None),
    ],
    "TAdresseFacture": [
        ("TypAdr", 1, 1, "TTypAdr"),
        ("Adr1", 0, 1, "Texte38"),
        ("Adr2", 0, 1, "Texte38"),
        ("Adr3", 0, 1, "Texte38"),
        ("CP", 1, 1, "Texte5"),
        ("Ville", 1, 1, "Texte38"),
        ("CodRes", 1, 1, "Booleen"),
        ("CodPays", 0, 1, "Num3"),
    ],
    # The second choice of TBancaireFacture (BIC, IBAN), the one the writer uses.
    "TBancaireFacture": [
        ("BIC", 0, 1, "BIC"),
        ("IBAN", 1, 1, "IBAN"),
        ("TitCpte", 0, 1, "Texte32"),
    ],
    "TFacturePESIndiv": [
        ("DateEmission", 1, 1, "Date"),
        ("DateReglement", 0, 1, "Date"),
        ("NumeroFacture", 1, 1, "Texte50"),
        ("Debiteur", 1, 1, "TTiersFacture"),
        ("Destinataire", 0, 1, "TTiersFacture"),
        ("Objet", 1, 1, "Texte160"),
        ("LigneFacture", 1, N, "TLigneFacture"),
        ("DetailTVA", 0, N, None),
        ("TotalAPayer", 1, 1, "TTotalAPayer"),
        ("RefTitre", 0, 1, "TRefTitre"),
        ("TalonOptique2Lignes", 0, 1, None),
        ("ModalitesReglement", 1, 1, "Texte250"),
        ("ModalitesContestation", 0, 1, "Texte420"),
        ("ModeRecouvrement", 0, 1, "Booleen"),
        ("TexteGenerateur", 0, 1, None),
        ("ConditionsGen", 1, 1, "Texte250"),
        ("RepartitionBudget", 0, N, None),
    ],
    # The date choice DateDebut/DateFin and the quantity choice Quantite/MtUnitaire.
    "TLigneFacture": [
        ("DateDebut", 1, 1, "Date"),
        ("DateFin", 1, 1, "Date"),
        ("CodeProduit", 0, 1, None),
        ("CodeNature", 0, 1, None),
        ("Libelle", 1, 1, "Texte200"),
        ("Unite", 0, 1, None),
        ("Quantite", 1, 1, "Quantite"),
        ("Unite1", 0, 1, "Texte5"),
        ("Quantite2", 0, 1, "Quantite"),
        ("Unite2", 0, 1, "Texte5"),
        ("MtUnitaire", 1, 1, "Montant"),
        ("Taux", 0, 1, None),
        ("MtHT", 1, 1, "Montant"),
        ("TauxTVA", 1, 1, "Taux"),
        ("MtTVA", 1, 1, "Montant"),
        ("MtTTC", 1, 1, "Montant"),
        ("Ordre", 1, 1, "Num3"),
        ("OrdreEdition", 0, 1, "Num3"),
        ("Commentaire", 0, N, None),
    ],
    "TTotalAPayer": [
        ("MtTotalHT", 1, 1, "Montant"),
        ("MtTotalTVA", 1, 1, "Montant"),
        ("MtTotalTTC", 1, 1, "Montant"),
    ],
    "TRefTitre": [
        ("Exercice", 1, 1, "Annee"),
        ("NumBordereau", 1, 1, "Num7"),
        ("NumTitre", 1, 1, "Num13"),
        ("NumLigne", 1, 1, "One"),
    ],
    "TNomenclatureFacture": [
        ("NomenclatureProduit", 0, 1, None),
        ("NomenclatureNature", 0, 1, None),
        ("NomenclatureBudget", 0, 1, None),
    ],
}

# Annexes, annexe 2: the (TypBord, TypPce, NatPce) triplets allowed in recette.
TRIPLETS = (
    {("01", "01", n) for n in ("01", "02", "03", "04", "05", "18", "11")}
    | {("02", "02", "06"), ("01", "02", "07"), ("01", "02", "08"), ("01", "02", "09")}
    | {
        ("02", "02", "10"),
        *{("01", "03", n) for n in ("01", "02", "03", "04", "18")},
        *{("01", "04", n) for n in ("01", "02", "03", "04")},
        ("02", "04", "06"),
        *{("01", "05", n) for n in ("01", "02", "03", "04", "05")},
        ("01", "06", "01"),
        ("02", "06", "06"),
        ("01", "07", "01"),
        ("01", "10", "01"),
        ("01", "10", "02"),
        ("01", "11", "01"),
        ("01", "11", "02"),
        ("01", "11", "04"),
        *{("03", "12", n) for n in ("01", "02", "11")},
        ("01", "14", "01"),
        ("02", "14", "06"),
        ("06", "15", "01"),
    }
)
# Annexe 2 note (5): the triplets on which Edition 01 (and, "idem", 02) is allowed.
EDITION_TRIPLETS = {("01", "01", n) for n in ("01", "02", "03", "04", "18", "11")} | {
    ("01", "10", "01"),
    ("01", "10", "02"),
}
# Annexes, annexe 3: CatTiers x NatJur allowed.
CAT_NAT = {"01": {"01", "02"}, "20": {"07", "08"}, "28": {"08"}, "29": {"10"}} | {
    cat: {"09"} for cat in ("21", "22", "23", "24", "25", "26", "27")
}


def _v(element, tag):
    child = element.find(tag)
    return None if child is None else child.get("V")


def check_structure(element: ET.Element, type_name: str, path: str, errors: list[str]) -> None:
    """Cardinality, order and simple types of ``element`` against TYPES[type_name]."""
    spec = TYPES[type_name]
    order = {tag: index for index, (tag, *_) in enumerate(spec)}
    last = -1
    counts: dict[str, int] = {}
    for child in element:
        if child.tag not in order:
            errors.append(f"{path}: élément inconnu {child.tag}")
            continue
        if order[child.tag] < last:
            errors.append(f"{path}: {child.tag} hors de l'ordre du dossier")
        last = order[child.tag]
        counts[child.tag] = counts.get(child.tag, 0) + 1
    for tag, low, high, kind in spec:
        count = counts.get(tag, 0)
        if not low <= count <= high:
            errors.append(f"{path}/{tag}: {count} occurrence(s), attendu {low}..{high}")
        for child in element.findall(tag):
            where = f"{path}/{tag}"
            if kind is None:
                errors.append(f"{where}: émis mais hors du sous-ensemble vérifié")
            elif kind == "Fichier":
                _check_file(child, where, errors)
            elif kind in TYPES:
                check_structure(child, kind, where, errors)
            else:
                value = child.get("V")
                if value is None or not SIMPLE[kind](value):
                    errors.append(f"{where}: valeur {value!r} invalide ({kind})")


def _check_file(fichier, where, errors):
    # PES_PJAller_blocs: gzip-compressed, then base64; MIMEType mandatory; not empty.
    if not fichier.get("MIMEType"):
        errors.append(f"{where}: MIMEType absent")
    try:
        content = gzip.decompress(base64.b64decode(fichier.text or "", validate=True))
    except (ValueError, OSError):
        errors.append(f"{where}: contenu non gzip+base64")
        return
    if not content:
        errors.append(f"{where}: fichier vide")


def _content(pj: ET.Element) -> bytes | None:
    try:
        return gzip.decompress(base64.b64decode(pj.find("Contenu/Fichier").text, validate=True))
    except (ValueError, OSError, AttributeError, TypeError):
        return None  # reported by _check_file


def pj_contents(root: ET.Element) -> dict[str, tuple[ET.Element, bytes | None]]:
    return {pj.find("IdUnique").get("V"): (pj, _content(pj)) for pj in root.findall("PES_PJ/PJ")}


def _check_tiers_id(info, path, errors):
    id_tiers, nat = _v(info, "IdTiers"), _v(info, "NatIdTiers")
    if (id_tiers is None) != (nat is None):
        errors.append(f"{path}: IdTiers et NatIdTiers vont ensemble")
    if nat == "01" and not siret.is_valid(id_tiers or ""):
        errors.append(f"{path}: SIRET {id_tiers} invalide")
    if nat == "02" and not siren.is_valid(id_tiers or ""):
        errors.append(f"{path}: SIREN {id_tiers} invalide")


def check_recette(root: ET.Element) -> list[str]:
    """Every rule of the table and the cross rules the writer relies on; French messages."""
    errors: list[str] = []
    if root.tag != f"{{{NS_ALLER}}}PES_Aller":
        errors.append(f"racine {root.tag}: attendu PES_Aller dans {NS_ALLER}")
    check_structure(root, "PES_Aller", "PES_Aller", errors)
    dematerialised = _v(root, "PES_RecetteAller/EnTeteRecette/InfoDematerialisee") in ("1", "true")
    pjs = pj_contents(root)
    for pj, _ in pjs.values():
        if pj.find("TypePJ") is not None and pj.find("TypePJ").get("V") == "006":
            if pj.find("Contenu/Fichier").get("MIMEType") != "text/xml":
                errors.append("PJ 006: une facture PES est un fichier XML")
    ids = set()
    for bordereau in root.findall("PES_RecetteAller/Bordereau"):
        block = bordereau.find("BlocBordereau")
        exer, typ_bord = _v(block, "Exer"), _v(block, "TypBord")
        where = f"Bordereau {typ_bord} n° {_v(block, 'IdBord')}"
        if dematerialised:
            if not bordereau.get("Id") or bordereau.get("Id") in ids:
                errors.append(f"{where}: attribut Id absent ou répété (dématérialisé)")
            ids.add(bordereau.get("Id"))
            if not _v(block, "MtCumulAnnuel") or Decimal(_v(block, "MtCumulAnnuel")) <= 0:
                errors.append(f"{where}: MtCumulAnnuel absent ou nul (dématérialisé)")
        pieces = bordereau.findall("Piece")
        if _v(block, "NbrPce") != str(len(pieces)):
            errors.append(f"{where}: NbrPce ne compte pas les pièces")
        total_ht = total_vat = Decimal(0)
        for piece in pieces:
            bloc = piece.find("BlocPiece")
            trip = (typ_bord, _v(bloc, "TypPce"), _v(bloc, "NatPce"))
            pwhere = f"{where}, pièce {_v(bloc, 'IdPce')}"
            if trip not in TRIPLETS:
                errors.append(f"{pwhere}: triplet {trip} hors de l'annexe 2")
            if _v(bloc, "IdPce") and int(_v(bloc, "IdPce")) <= 0:
                errors.append(f"{pwhere}: IdPce nul")
            for ref in bloc.findall("PJRef"):
                if ref.find("IdUnique").get("V") not in pjs:
                    errors.append(f"{pwhere}: PJRef sans PJ jointe")
            edition = _v(bloc, "Edition")
            if edition is not None and trip not in EDITION_TRIPLETS:
                errors.append(f"{pwhere}: Edition {edition} interdite pour {trip}")
            if edition == "02":
                _check_chorus(bloc, piece, pjs, pwhere, errors, exer=exer, bordereau=block)
            elif _v(bloc, "NumeroFacture") is not None:
                errors.append(f"{pwhere}: NumeroFacture hors Edition 02/03")
            if bloc.find("NumDette") is not None:
                errors.append(f"{pwhere}: NumDette réservé aux titres ORMC")
            for line in piece.findall("LigneDePiece"):
                info = line.find("BlocLignePiece/InfoLignePiece")
                lwhere = f"{pwhere}, ligne {_v(info, 'IdLigne')}"
                mt_ht = Decimal(_v(info, "MtHT") or "0")
                if mt_ht <= 0:
                    errors.append(f"{lwhere}: MtHT nul")
                total_ht += mt_ht
                mt_tva = _v(info, "MtTVA")
                if mt_tva is not None:
                    if Decimal(mt_tva) <= 0:
                        errors.append(f"{lwhere}: MtTVA nul")
                    total_vat += Decimal(mt_tva)
                if (_v(info, "TxTva") is not None) != (mt_tva is not None):
                    errors.append(f"{lwhere}: TxTva va avec MtTVA")
                if _v(info, "IdLigne") and int(_v(info, "IdLigne")) < 1:
                    errors.append(f"{lwhere}: IdLigne < 1")
                rattach = line.find("BlocLignePiece/RattachPiece")
                if trip == ("02", "02", "06"):
                    if rattach is None:
                        errors.append(f"{lwhere}: RattachPiece obligatoire pour 02 02 06")
                    elif _v(rattach, "ExerRat") != exer:
                        errors.append(f"{lwhere}: ExerRat différent de l'exercice")
                if rattach is not None and _v(rattach, "NatPceOrig") in ("01", "02"):
                    if not _v(rattach, "IdLigneOrig") or int(_v(rattach, "IdLigneOrig")) < 1:
                        errors.append(f"{lwhere}: IdLigneOrig >= 1 attendu")
                tiers = line.findall("Tiers")
                if not tiers:
                    errors.append(f"{lwhere}: débiteur absent")
                for one in tiers:
                    info_tiers = one.find("InfoTiers")
                    cat, nat = _v(info_tiers, "CatTiers"), _v(info_tiers, "NatJur")
                    if nat not in CAT_NAT.get(cat, set()):
                        errors.append(f"{lwhere}: CatTiers {cat} / NatJur {nat} hors annexe 3")
                    _check_tiers_id(info_tiers, lwhere, errors)
                    cp = _v(one, "Adresse/CP") or ""
                    if not re.fullmatch(r"\d{5}", cp):
                        errors.append(f"{lwhere}: code postal {cp!r} (5 chiffres)")
                    if (_v(one, "Adresse/CodRes"), _v(one, "Adresse/CodPays")) not in (
                        ("0", None),
                        ("0", "100"),
                    ):
                        errors.append(f"{lwhere}: CodRes/CodPays incohérents")
        if Decimal(_v(block, "MtBordHt") or "0") != total_ht or total_ht <= 0:
            errors.append(f"{where}: MtBordHt ≠ somme des MtHT ou nul")
        bord_vat = _v(block, "MtBordTVA")
        if (bord_vat is None and total_vat) or (
            bord_vat is not None and (Decimal(bord_vat) <= 0 or Decimal(bord_vat) != total_vat)
        ):
            errors.append(f"{where}: MtBordTVA ≠ somme des MtTVA (ou présent à 0)")
    return errors


def _check_chorus(bloc, piece, pjs, where, errors, *, exer, bordereau):
    # PES_RecetteAller_blocs, Edition 02: single debtor, NatIdTiers 01 with a valid SIRET,
    # NumeroFacture, a PJRef to a PJ 006 holding a PES_Facture typed ASAP (09).
    debtors = {
        (_v(t, "InfoTiers/IdTiers"), _v(t, "InfoTiers/NatIdTiers"))
        for t in piece.findall("LigneDePiece/Tiers")
    }
    if len(debtors) != 1 or next(iter(debtors))[1] != "01":
        errors.append(f"{where}: Edition 02 sans débiteur unique identifié par SIRET (01)")
    if not _v(bloc, "NumeroFacture"):
        errors.append(f"{where}: Edition 02 sans NumeroFacture")
    refs = [r for r in bloc.findall("PJRef") if _v(r, "TypePJ") == "006"]
    if len(refs) != 1:
        errors.append(f"{where}: Edition 02 sans PJRef de type 006")
        return
    pj, content = pjs[refs[0].find("IdUnique").get("V")]
    if content is None:
        return
    if _v(pj, "TypePJ") != "006":
        errors.append(f"{where}: la PJ de la facture n'est pas de type 006")
    errors.extend(
        check_asap(
            ET.fromstring(content),
            exer=exer,
            bordereau=_v(bordereau, "IdBord"),
            titre=_v(bloc, "IdPce"),
            siret=next(iter(debtors))[0],
        )
    )


def check_asap(root: ET.Element, *, exer, bordereau, titre, siret) -> list[str]:
    """The PES_Facture typed ASAP (PES_FactureAller_blocs), in its own PES_Aller."""
    errors: list[str] = []
    if root.tag != f"{{{NS_ALLER}}}PES_Aller":
        errors.append("facture: racine PES_Aller attendue")
    check_structure(root, "PES_Aller", "facture", errors)
    facture = root.find("PES_Facture")
    if facture is None:
        return [*errors, "facture: PES_Facture absent"]
    if _v(facture, "TypeFact") != "09":
        errors.append("facture: TypeFact 09 (ASAP) attendu")
    emitter = facture.find("Emetteur")
    if emitter.find("Adresse") is None or _v(emitter, "Adresse/Adr2") is None:
        errors.append("facture: adresse de l'émetteur (Adr2) obligatoire")
    if _v(emitter, "InfoSuppl/RefBdf") is None:
        errors.append("facture: RefBdf obligatoire")
    if emitter.find("Signataire") is None:
        errors.append("facture: Signataire obligatoire")
    tiers = {_v(t, "InfoTiers/TypTiers"): t for t in facture.findall("Tiers")}
    if sorted(_v(t, "InfoTiers/TypTiers") for t in facture.findall("Tiers")) != ["25", "26"]:
        errors.append("facture: un tiers 25 et un tiers 26, exactement")
    else:
        centre = tiers["25"]
        if (_v(centre, "InfoTiers/Nom"), _v(centre, "InfoTiers/ComplNom")) != (
            "CENTRE D'ENCAISSEMENT",
            "DES FINANCES PUBLIQUES",
        ):
            errors.append("facture: nom du centre d'encaissement")
        if centre.find("Adresse/Adr1") is not None or centre.find("Adresse/Adr2") is not None:
            errors.append("facture: pas d'Adr1/Adr2 pour le tiers 25")
        if _v(tiers["26"], "Adresse/Adr2") is None or tiers["26"].find("CpteBancaire") is None:
            errors.append("facture: Adr2 et compte bancaire du tiers 26 obligatoires")
    for indiv in facture.findall("FactureIndiv"):
        if _v(indiv, "Debiteur/InfoTiers/IdTiers") != siret:
            errors.append("facture: SIRET du débiteur différent du titre")
        if _v(indiv, "Debiteur/Adresse/Adr2") is None:
            errors.append("facture: Adr2 du débiteur obligatoire")
        ref = indiv.find("RefTitre")
        if ref is None or (
            _v(ref, "Exercice"),
            _v(ref, "NumBordereau"),
            _v(ref, "NumTitre"),
        ) != (exer, bordereau, titre):
            errors.append("facture: RefTitre ne désigne pas le titre et son bordereau")
        if _v(indiv, "ModeRecouvrement") is None:
            errors.append("facture: ModeRecouvrement obligatoire")
        if indiv.find("TalonOptique2Lignes") is None:
            errors.append("facture: TalonOptique2Lignes obligatoire (norme HEL)")
        lines = indiv.findall("LigneFacture")
        for line in lines:
            for tag in ("MtHT", "MtTTC"):
                if Decimal(_v(line, tag)) <= 0:
                    errors.append(f"facture: {tag} d'une ligne nul")
        total = sum(Decimal(_v(line, "MtTTC")) for line in lines)
        if total != Decimal(_v(indiv, "TotalAPayer/MtTotalTTC")):
            errors.append("facture: MtTotalTTC ≠ somme des lignes")
    return errors
