"""Phone numbers of French citizens, metropolitan and overseas, with ``phonenumbers``
(Google's libphonenumber): validated, normalised to E.164 for providers."""

from zoneinfo import ZoneInfo

import phonenumbers
from django.core.exceptions import ValidationError
from phonenumbers import PhoneNumberType
from phonenumbers import timezone as phone_timezones

# Metropolitan France, then the overseas departments and collectivities with their own
# country code (ARCEP numbering plan): Guadeloupe, Martinique, Guyane, La Réunion, Mayotte,
# Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin, Wallis-et-Futuna, Polynésie
# française, Nouvelle-Calédonie. A national number ("0690 ...") is tried in each in turn.
FRENCH_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC")
MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
# Each overseas territory's zone (IANA tz database), for its numbers: libphonenumber's
# time-zone data gives both Réunion and Mayotte for "+262 692..." and none for
# "+262 639...", while its numbering plan knows which island each range belongs to.
REGION_ZONES = {
    "RE": "Indian/Reunion",
    "YT": "Indian/Mayotte",
    "GP": "America/Guadeloupe",
    "MQ": "America/Martinique",
    "GF": "America/Cayenne",
    "PM": "America/Miquelon",
    "BL": "America/St_Barthelemy",
    "MF": "America/Marigot",
    "WF": "Pacific/Wallis",
    "PF": "Pacific/Tahiti",
    "NC": "Pacific/Noumea",
}
# What a person may type: "+262 (0)6 92 12 34 56" is 23 characters; more is no number.
RAW_MAX_LENGTH = 30
PHONE_INVALID = (
    "Indiquez un numéro de téléphone français (métropole ou outre-mer) valide "
    "(exemple : 06 12 34 56 78)."
)


class InvalidPhone(ValueError):
    pass


def _parse(raw: str) -> phonenumbers.PhoneNumber:
    raw = raw.strip()
    if not raw or len(raw) > RAW_MAX_LENGTH:
        raise InvalidPhone(raw[:RAW_MAX_LENGTH])
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


def phone_clean(raw: str) -> str:
    """The one check of a number a person gives (booking pages, back office, API): "" when
    none is given, else its E.164 form; ValidationError (French, ``PHONE_INVALID``) unless
    it is a valid French or overseas number."""
    if not raw.strip():
        return ""
    try:
        return phone_normalise(raw)
    except InvalidPhone:
        raise ValidationError(PHONE_INVALID, code="phone") from None


def phone_display(number: str) -> str:
    """A stored number as people write it ("+33612345678" -> "06 12 34 56 78"); anything
    that is not a valid number is shown as it is."""
    try:
        parsed = _parse(number)
    except InvalidPhone:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_time_zones(number: str) -> list[ZoneInfo]:
    """The time zones the holder of ``number`` may be in, from the number itself
    (libphonenumber's time-zone data, narrowed to the number's territory when it names
    it); [] when nothing can be told (an invalid number)."""
    try:
        parsed = _parse(number)
    except InvalidPhone:
        return []
    names = [n for n in phone_timezones.time_zones_for_number(parsed) if n != "Etc/Unknown"]
    region = REGION_ZONES.get(phonenumbers.region_code_for_number(parsed))
    if region and (not names or region in names):
        # "+262 692" is Réunion's range (Mayotte's is "+262 639"): the data gives both
        # islands' zones for the shared code, the numbering plan tells which.
        names = [region]
    return [ZoneInfo(name) for name in names]
