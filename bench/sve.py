"""SVE figures: 100 tenants, 10,000 requests in one of them.

Prints:
  sve_submit_p95 <ms> ms          filing a request with a file, through the web stack
                                  (the AEE's PDF is only queued: the worker renders it)
  sve_dashboard_p95 <ms> ms       the agents' request table over 10,000 requests
  sve_deadline_job_10k <s> s      the implicit-decision job turning 10,000 requests

Run: .venv/bin/python -m portal.embedded run -- .venv/bin/python bench/sve.py
Tasks queued here go to a private queue, deleted at the end with the bench's tenants.
"""

import os
import secrets
import sys
import time
from datetime import timedelta

from _setup import p95, setup, size

setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.accounts.models import User  # noqa: E402
from portal.celery import app as celery_app  # noqa: E402
from portal.celery import queue_drop  # noqa: E402
from tenants.models import Collectivite, Membership  # noqa: E402
from tenants.services import collectivite_create, membership_grant  # noqa: E402

TENANTS = size(100, 3)
REQUESTS = size(10_000, 300)
SUBMITS, SUBMITS_WARMUP = size(200, 10), size(20, 2)
DASHBOARD_HITS, DASHBOARD_WARMUP = size(100, 10), size(10, 2)
PREFIX = "bench-sve-"
QUEUE = f"bench_sve_{os.getpid()}"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def cleanup() -> None:
    connection.set_schema_to_public()
    for tenant in Collectivite.objects.filter(slug__startswith=PREFIX):
        tenant.delete(force_drop=True)
    User.objects.filter(email__endswith="@bench-sve.invalid").delete()
    queue_drop(QUEUE)


def make_tenants() -> list[Collectivite]:
    started = time.perf_counter()
    tenants = [
        collectivite_create(name=f"Bench SVE {i:03d}", slug=f"{PREFIX}{i:03d}")
        for i in range(TENANTS)
    ]
    print(f"# {TENANTS} tenants in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return tenants


def fill(tenant):
    from sve import services
    from sve.models import Request, Status

    # Forms go online only with the service's full contact details (CRPA R112-5 2°).
    tenant.contact_address = "Place de la Mairie"
    tenant.contact_email = "mairie@bench-sve.invalid"
    tenant.contact_phone = "04 92 00 00 00"
    tenant.save(update_fields=["contact_address", "contact_email", "contact_phone"])
    connection.set_tenant(tenant)
    form = services.form_template_enable(code="contact", acting_user=None)
    now = timezone.now()
    statuses = [Status.SUBMITTED, Status.ACKNOWLEDGED, Status.INSTRUCTION]
    Request.objects.bulk_create(
        [
            Request(
                form=form,
                form_version=form.current_version,
                reference=f"2026-B{i:07d}",
                access_token=secrets.token_urlsafe(32),
                status=statuses[i % 3],
                last_name=f"Nom{i}",
                first_name="Prénom",
                email=f"u{i}@bench-sve.invalid",
                regime="sva" if i % 2 else "svr",
                received_at=now - timedelta(days=70, minutes=i),
                received_on=(now - timedelta(days=70)).date(),
                ar_due_on=(now - timedelta(days=56)).date(),
                implicit_decision_on=(now - timedelta(days=(i % 9) + 1)).date(),
            )
            for i in range(REQUESTS)
        ],
        batch_size=2000,
    )
    connection.set_schema_to_public()
    return form


def bench_submit(tenant, form) -> float:
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    url = f"/demarches/formulaire/{form.slug}/"
    samples = []
    for i in range(SUBMITS + SUBMITS_WARMUP):
        payload = {
            "action": "deposer",
            "f-objet": f"Demande {i}",
            "f-message": "Bonjour, je voudrais un renseignement.",
            "f-piece": SimpleUploadedFile("piece.png", PNG, content_type="image/png"),
            "id-last_name": "Durand",
            "id-first_name": "Alix",
            "id-postal_address": "1 rue de la Mairie",
            "id-email": "alix@bench-sve.invalid",
        }
        started = time.perf_counter()
        response = client.post(url, payload)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, response.content[:500]
        if i >= SUBMITS_WARMUP:
            samples.append(elapsed)
    return p95(samples)


def bench_dashboard(tenant) -> float:
    agent = User.objects.create_user(email="agent@bench-sve.invalid", password=None)
    membership_grant(user=agent, collectivite=tenant, role=Membership.Role.AGENT)
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    client.force_login(agent)
    samples = []
    for i in range(DASHBOARD_HITS + DASHBOARD_WARMUP):
        started = time.perf_counter()
        response = client.get("/demarches/gestion/")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200
        if i >= DASHBOARD_WARMUP:
            samples.append(elapsed)
    return p95(samples)


def bench_job(tenant) -> tuple[float, dict]:
    from portal.jobs.services import job_run

    connection.set_tenant(tenant)
    started = time.perf_counter()
    run = job_run(job="sve.implicit_decisions")
    elapsed = time.perf_counter() - started
    connection.set_schema_to_public()
    return elapsed, run.result


def main() -> None:
    celery_app.conf.task_default_queue = QUEUE  # nothing consumes it; deleted at the end
    # One client files hundreds of requests from one address: the abuse limits (read at each
    # request) are not what is measured here.
    settings.PORTAL_RATE_LIMITS = {
        **settings.PORTAL_RATE_LIMITS,
        "filing:ip": None,
        "filing:account": None,
    }
    cleanup()
    try:
        tenants = make_tenants()
        target = tenants[0]
        form = fill(target)
        submit_p95 = bench_submit(target, form)
        dashboard_p95 = bench_dashboard(target)
        job_seconds, result = bench_job(target)
        assert sum(result.values()) == REQUESTS, result
        print(f"sve_submit_p95 {submit_p95:.1f} ms")
        print(f"sve_dashboard_p95 {dashboard_p95:.1f} ms")
        print(f"sve_deadline_job_10k {job_seconds:.2f} s")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
