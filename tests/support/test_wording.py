"""Issue 24 §3: the desk's words are French and name people."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_status_filter_says_fermee(desk_client):
    page = desk_client.get("/operateur/assistance/").content.decode()
    assert ">Fermée<" in page and ">Close<" not in page


def test_confier_a_lists_names(desk_client, desk_user, file_request):
    desk_user.first_name, desk_user.last_name = "Sacha", "Support"
    desk_user.save(update_fields=["first_name", "last_name"])
    filed = file_request()
    page = desk_client.get(f"/operateur/assistance/{filed.reference}/").content.decode()
    select = page.split('<select id="assignee"', 1)[1].split("</select>", 1)[0]
    assert "Sacha Support" in select


def test_the_four_hour_promise_is_worded_once_by_the_rule_module(desk_client, referent):
    from django.test import Client

    from support.clock import TAKE_INTO_ACCOUNT_PROMISE

    member = Client(HTTP_HOST="test-a.localhost")
    member.force_login(referent)
    filing = member.get("/gestion/assistance/nouvelle/").content.decode()
    report = desk_client.get("/operateur/assistance/rapport/").content.decode()
    assert "dans les 4 heures" in TAKE_INTO_ACCOUNT_PROMISE
    for page in (filing, report):
        assert TAKE_INTO_ACCOUNT_PROMISE.replace("'", "&#x27;") in page
