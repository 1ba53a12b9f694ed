"""A real Celery worker (separate process, Redis broker) renders the AEE after the commit of
a submission, inside the right tenant's schema."""

import time

import pytest

from sve.models import Document
from tests.conftest import in_tenant
from tests.sve.conftest import enabled_form, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_issues_the_aee_in_the_request_tenant(worker_process, tenant_a, tenant_b):
    with in_tenant(tenant_b):
        enabled_form()  # same slug in B: the worker must not look there
    with in_tenant(tenant_a):
        req = submit(enabled_form())  # transaction=True: committed, task queued on commit
        deadline = time.monotonic() + 60
        while not Document.objects.filter(request=req, kind=Document.Kind.AEE).exists():
            assert time.monotonic() < deadline, "the worker did not issue the AEE"
            assert worker_process.poll() is None, "the worker died"
            time.sleep(0.3)
        aee = Document.objects.get(request=req, kind=Document.Kind.AEE)
        assert bytes(aee.content).startswith(b"%PDF")
    with in_tenant(tenant_b):
        assert not Document.objects.exists()
