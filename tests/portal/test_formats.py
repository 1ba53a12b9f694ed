"""portal.formats: dates and sizes as a French administration writes them (issue 24 §3)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from portal.formats import file_size, french_date


def test_a_date_reads_as_in_a_french_letter():
    assert french_date(date(2031, 6, 15)) == "15 juin 2031"
    assert french_date("2031-06-15") == "15 juin 2031"  # a form's stored value
    assert french_date(date(2031, 6, 1)) == "1er juin 2031"
    assert french_date(date(2031, 12, 11)) == "11 décembre 2031"  # no "1er" for the 11th


def test_a_datetime_is_dated_in_paris():
    late = datetime(2031, 6, 15, 22, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on the 16th in Paris
    assert french_date(late) == "16 juin 2031"


def test_what_is_not_a_date_is_left_as_it_is():
    assert french_date("") == "" and french_date(None) == ""
    assert french_date("à préciser") == "à préciser"


def test_sizes_say_ko_and_mo_not_kio_and_mio():
    assert file_size(1024 * 1024) == "1 Mo"
    assert file_size(5 * 1024 * 1024) == "5 Mo"
    assert file_size(1536 * 1024) == "1,5 Mo"
    assert file_size(300 * 1024) == "300 Ko"
    assert file_size(512) == "512 octets"
