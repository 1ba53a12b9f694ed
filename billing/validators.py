"""Identifiers printed on a titre or sent to Chorus Pro and the public accountant, checked
with python-stdnum (check digits) so that a typing error is caught when it is entered."""

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
