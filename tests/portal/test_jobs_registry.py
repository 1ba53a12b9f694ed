"""Public-schema jobs have the same registry as tenant jobs; each runs only in its scope."""

import pytest
from django.db import connection

from portal.jobs.models import JobRun
from portal.jobs.registry import get_job, public_job, tenant_job
from portal.jobs.services import job_run
from tests.conftest import in_tenant


@public_job("tests.public")
def _public() -> dict:
    return {"schema": connection.schema_name}


@tenant_job("tests.tenant")
def _tenant() -> dict:
    return {"schema": connection.schema_name}


def test_a_public_job_runs_and_is_recorded_in_the_public_schema(db):
    run = job_run(job="tests.public")
    assert run.result == {"schema": "public"}
    assert JobRun.objects.filter(pk=run.pk, job="tests.public").exists()


def test_each_job_refuses_the_other_scope(tenant_a):
    with pytest.raises(LookupError):
        job_run(job="tests.tenant")  # public schema here
    with in_tenant(tenant_a):
        with pytest.raises(LookupError):
            job_run(job="tests.public")
        assert job_run(job="tests.tenant").result == {"schema": tenant_a.schema_name}


def test_the_conventions_daily_job_is_registered_as_public():
    assert get_job("conventions.daily", scope="public")
