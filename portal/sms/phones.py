"""Phone numbers of French citizens, metropolitan and overseas, with ``phonenumbers``
(Google's libphonenumber): validated, normalised to E.164 for providers."""

import phonenumbers
from phonenumbers import PhoneNumberType

# Metropolitan France, then the overseas departments and collectivities with their own
# country code (ARCEP numbering plan): Guadeloupe, Martinique, Guyane, La Réunion, Mayotte,
# Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin, Wallis-et-Futuna, Polynésie
# française, Nouvelle-Calédonie. A national number ("0690 ...") is tried in each in turn.
FRENCH_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC")
MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class InvalidPhone(ValueError):
    pass


def _parse(raw: str) -> phonenumbers.PhoneNumber:
    raw = raw.strip()
    if not raw:
        raise InvalidPhone(raw)
    for region in FRENCH_REGIONS:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number) and (
            phonenumbers.region_code_for_number(number) in FRENCH_REGIONS
        ):
            return number
    raise InvalidPhone(raw)


def phone_normalise(raw: str) -> str:
    """``raw`` ("06 12 34 56 78", "+262 692 12 34 56", "0690123456") as E.164
    ("+33612345678"); InvalidPhone unless it is a valid French or overseas number."""
    return phonenumbers.format_number(_parse(raw), phonenumbers.PhoneNumberFormat.E164)


def phone_is_mobile(raw: str) -> bool:
    """True if ``raw`` is a valid French or overseas number that can receive an SMS."""
    try:
        return phonenumbers.number_type(_parse(raw)) in MOBILE_TYPES
    except InvalidPhone:
        return False


def phone_is_valid(raw: str) -> bool:
    """True if ``raw`` is a valid French or overseas number (landline or mobile)."""
    try:
        _parse(raw)
    except InvalidPhone:
        return False
    return True
