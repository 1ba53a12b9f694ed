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
