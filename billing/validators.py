"""Identifiers printed on a titre or sent to Chorus Pro and the public accountant, checked
with python-stdnum (check digits) so that a typing error is caught when it is entered."""

import re

from django.core.exceptions import ValidationError
from stdnum import bic, iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits: the SIREN then the establishment number, with a Luhn check."""
    if not value:
        return
    try:
        siret.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle).", code="invalid_siret"
        ) from exc


def validate_iban(value: str) -> None:
    if not value:
        return
    try:
        iban.validate(value)
    except StdnumError as exc:
        raise ValidationError("Cet IBAN n'est pas valide.", code="invalid_iban") from exc


def validate_bic(value: str) -> None:
    if not value:
        return
    try:
        bic.validate(value)
    except StdnumError as exc:
        raise ValidationError("Ce BIC n'est pas valide.", code="invalid_bic") from exc


def _pattern(value: str, pattern: str, message: str, code: str) -> None:
    if value and not re.fullmatch(pattern, value):
        raise ValidationError(message, code=code)


# The formats below are the simple types of the PES technical dossier v5.19
# (DictionnaireDesDonneesAller_simples), which Hélios's intake checks before anything else.


def validate_post_id(value: str) -> None:
    """Base_TexteCodique7: the accountant's codique, 6 or 7 digits (02A/02B + 3-4 in Corse)."""
    _pattern(
        value,
        r"02[AB][0-9]{3,4}|[0-9]{6,7}",
        "Le codique du poste comptable compte 6 ou 7 chiffres (ex. 005012).",
        "invalid_post_id",
    )


def validate_collectivity_code(value: str) -> None:
    """Base_CodeCol3: three digits."""
    _pattern(value, r"[0-9]{3}", "Le code collectivité compte 3 chiffres.", "invalid_codcol")


def validate_budget_code(value: str) -> None:
    """Base_CodeBud2: a digit or a capital letter, then a digit."""
    _pattern(
        value,
        r"[0-9A-Z][0-9]",
        "Le code budget compte 2 caractères : un chiffre ou une lettre majuscule, puis un"
        " chiffre (ex. 00, B1).",
        "invalid_codbud",
    )


def validate_nature(value: str) -> None:
    """Base_Num12: the nature (account) of the imputation, digits only."""
    _pattern(value, r"[0-9]{1,12}", "La nature compte de 1 à 12 chiffres.", "invalid_nature")


def validate_function_code(value: str) -> None:
    """Base_Num10_Light: the function, digits only (M14, M52, M57, M71 only)."""
    _pattern(value, r"[0-9]{1,10}", "La fonction compte de 1 à 10 chiffres.", "invalid_function")


def validate_product_code(value: str) -> None:
    """Base_Alphanum4 (CodProdLoc): 1 to 4 letters or digits, no dash or space."""
    _pattern(
        value,
        r"[0-9A-Za-z]{1,4}",
        "Le code produit local compte de 1 à 4 lettres ou chiffres, sans tiret ni espace.",
        "invalid_product_code",
    )


def validate_ref_bdf(value: str) -> None:
    """Base_Alphanum13 (RefBdf of the ASAP): letters and digits, at most 13."""
    _pattern(
        value,
        r"[0-9A-Za-z]{1,13}",
        "La référence Banque de France compte au plus 13 lettres ou chiffres.",
        "invalid_ref_bdf",
    )


def validate_court(value: str) -> None:
    """The court printed on a titre names a tribunal: « le tribunal administratif de … » or,
    for a private-law debt, « le tribunal judiciaire de … » (which one is the issuer's
    choice, warned about by billing.selectors.court_warnings)."""
    if value and "tribunal" not in value.lower():
        raise ValidationError(
            "Indiquez le tribunal, ex. « le tribunal administratif de Marseille ».",
            code="invalid_court",
        )
