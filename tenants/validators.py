from django.core.exceptions import ValidationError
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren


def validate_siren(value: str) -> None:
    """A SIREN is 9 digits with a Luhn check digit (python-stdnum)."""
    if not value:
        return
    try:
        siren.validate(value)
    except StdnumError as exc:
        raise ValidationError("Ce numéro SIREN n'est pas valide.", code="invalid_siren") from exc
