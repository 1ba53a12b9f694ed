import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_api_is_finance_only_and_lists_titres(operator, user_factory, laverune_setup, share_model):
    from datetime import date

    from billing.liquidation import liquidate
    from billing.services import titre_issue
    from billing.services.titres import issuer_snapshot

    for bill in liquidate(year=2026, model_ids=[share_model.pk]).members:
        titre_issue(bill=bill, year=2026, issuer=issuer_snapshot(), today=date(2026, 9, 1))
    client = Client(HTTP_HOST="localhost")
    assert client.get("/api/facturation/titres/").status_code in (401, 403)
    agent = user_factory()
    client.login(email=agent.email, password=PASSWORD)
    assert client.get("/api/facturation/titres/").status_code == 403
    finance = user_factory(is_finance=True)
    client.login(email=finance.email, password=PASSWORD)
    data = client.get("/api/facturation/titres/?year=2026").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert sorted(row["reference"] for row in rows) == ["2026-00001", "2026-00002", "2026-00003"]
    assert {row["total_ttc_cents"] for row in rows} >= {15011}
    assert rows[0]["lines"][0]["basis"]
    assert client.post("/api/facturation/titres/", {}).status_code == 405


def test_demo_seeds_a_2026_tariff_idempotently(db):
    from billing import demo as billing_demo
    from billing.models import Issuer, Tariff
    from conventions import demo as conventions_demo

    conventions_demo.seed_public()
    billing_demo.seed_public()
    billing_demo.seed_public()
    tariff = Tariff.objects.get(model__code=billing_demo.DEMO_MODEL, year=2026)
    assert tariff.lines.count() == 3
    assert Issuer.objects.count() == 1
