"""GSM-7 transliteration and segment counts, French and overseas numbers (issue 28)."""

import pytest

from portal.sms.gsm7 import gsm7_transliterate, is_gsm7, sms_segments
from portal.sms.phones import InvalidPhone, phone_is_mobile, phone_normalise


def test_accents_outside_gsm7_are_transliterated_the_others_kept():
    text = "Être à l'hôtel de ville « à 9 h » — façade, cœur, été, où, ça"
    plain = gsm7_transliterate(text)
    assert plain == 'Etre à l\'hotel de ville " à 9 h " - facade, coeur, été, où, ca'
    assert is_gsm7(plain)


def test_160_gsm7_characters_are_one_sms_161_are_two():
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("a" * 306) == 2 and sms_segments("a" * 307) == 3


def test_one_non_gsm7_character_makes_the_whole_text_ucs2():
    assert sms_segments("ê" + "a" * 69) == 1
    assert sms_segments("ê" + "a" * 70) == 2  # 71 UCS-2 characters: two of 67
    assert sms_segments(gsm7_transliterate("ê" + "a" * 70)) == 1


def test_extension_characters_take_two_places():
    assert sms_segments("€" * 80) == 1
    assert sms_segments("€" * 80 + "a") == 2


@pytest.mark.parametrize(
    "raw, e164, mobile",
    [
        ("06 12 34 56 78", "+33612345678", True),
        ("+33 6 12 34 56 78", "+33612345678", True),
        ("04 92 00 00 00", "+33492000000", False),
        ("0690 12 34 56", "+590690123456", True),  # Guadeloupe, typed nationally
        ("0692 12 34 56", "+262692123456", True),  # La Réunion
        ("0696 12 34 56", "+596696123456", True),  # Martinique
        ("0694 20 12 34", "+594694201234", True),  # Guyane
        ("+687 75 12 34", "+687751234", True),  # Nouvelle-Calédonie
    ],
)
def test_french_and_overseas_numbers_are_normalised(raw, e164, mobile):
    assert phone_normalise(raw) == e164
    assert phone_is_mobile(raw) is mobile


@pytest.mark.parametrize("raw", ["12345", "+44 7700 900123", "06 12 34", ""])
def test_other_numbers_are_refused(raw):
    with pytest.raises(InvalidPhone):
        phone_normalise(raw)
    assert phone_is_mobile(raw) is False
