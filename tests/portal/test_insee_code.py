"""Issue 27: the commune's INSEE code is read one way (portal.calendar.current_insee_code),
for SVE's delays and the appointments' holidays alike; no app reads the tenant itself."""

import re
from pathlib import Path

import pytest
from django.db import connection

from portal.calendar import current_insee_code
from tests.conftest import in_tenant

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_active_commune_s_code_and_none_on_the_operator_s_schema(tenant_a, tenant_b):
    with in_tenant(tenant_a):
        assert current_insee_code() == "05107"
    with in_tenant(tenant_b):
        assert current_insee_code() == "05023"
    connection.set_schema_to_public()
    assert current_insee_code() == ""


def test_no_app_reads_the_tenant_s_insee_code_itself():
    reading = re.compile(r"tenant\W*(?:,\s*)?[\"']?\.?insee_code")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in ("sve", "rendezvous", "billing", "conventions", "support", "identity")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if reading.search(line)
    ]
    assert not found, "read current_insee_code() instead: " + ", ".join(found)
