"""The "Sessions ouvertes" table in words (issue 24 §3)."""

import pytest

from identity.labels import browser_in_words, method_in_words

pytestmark = pytest.mark.django_db

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like"
    " Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
)


def test_browsers_are_named_in_words():
    assert browser_in_words(FIREFOX_WINDOWS) == "Firefox sur Windows"
    assert browser_in_words(SAFARI_IPHONE) == "Safari sur iPhone"
    assert browser_in_words(EDGE) == "Edge sur Windows"
    assert browser_in_words("") == "Navigateur inconnu"


def test_the_ways_of_signing_in_are_in_french():
    assert method_in_words("sso") == "Connexion unique (depuis le portail)"
    assert method_in_words("password") == "Mot de passe"


def test_the_account_page_shows_words_not_codes(client, operator, user_factory):
    from identity.models import SessionRecord

    user = user_factory()
    client.defaults["HTTP_HOST"] = "localhost"
    client.defaults["HTTP_USER_AGENT"] = FIREFOX_WINDOWS
    client.force_login(user)
    SessionRecord.objects.filter(user=user).delete()
    SessionRecord.objects.create(
        user=user,
        session_key=client.session.session_key,
        host="test-a.localhost",
        user_agent=FIREFOX_WINDOWS,
        method="sso",
    )
    page = client.get("/comptes/mon-compte/").content.decode()
    assert "Firefox sur Windows" in page and "Connexion unique" in page
    assert ">sso<" not in page and "Gecko/20100101" not in page.split("Sessions ouvertes")[1]
