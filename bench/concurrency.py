"""Concurrency under a real worker (issue 8): people and the worker acting at the same time.

A live server (gunicorn on loopback, 4 threads × 2 workers) and a real Celery worker are
started; for ``DURATION`` seconds 8 clients file requests (half through the pages, half
through the API) and 4 agents qualify, ask for pieces and decide through the pages, opening
each request after each step. Halfway, the worker is SIGKILLed and restarted. Then the
owed-documents sweep runs (as beat would a few minutes later) until nothing is owed.

Prints:
  concurrent_ops <n> count             HTTP operations done by clients and agents
  concurrent_agent_ops <n> count       of which by agents (must not be 0)
  concurrent_threads_died <n> count    client or agent loops stopped by an error (must be 0)
  concurrent_5xx <n> count             server errors among them (must be 0)
  owed_documents_missing <n> count     AEE/AR/decisions owed and not issued after the sweep
                                       (must be 0)
  documents_duplicated <n> count       documents or their mails issued more than once
                                       (must be 0)
  concurrent_requests_filed, concurrent_documents_issued, concurrent_sweep_requeued:
                                       context for the four figures above

Run: .venv/bin/python -m portal.embedded run -- .venv/bin/python bench/concurrency.py
Everything it makes (tenant, accounts, queue) is removed at the end.
"""

import http.cookiejar
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

QUEUE = f"bench_concurrency_{os.getpid()}"
os.environ["CELERY_QUEUE"] = QUEUE  # this process, the server and the worker share it

from _setup import ROOT, figure, setup, size, stop  # noqa: E402

setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import Mod  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from portal.accounts.models import User  # noqa: E402
from portal.celery import queue_drop  # noqa: E402
from portal.outbox.models import OutboxMessage  # noqa: E402
from portal.owed.models import OwedDocument  # noqa: E402
from portal.owed.services import owed_sweep  # noqa: E402
from sve import services  # noqa: E402
from sve.models import Document, Request, Status  # noqa: E402
from tenants.models import Collectivite, Membership  # noqa: E402
from tenants.services import collectivite_create, membership_grant  # noqa: E402

DURATION = int(os.environ.get("BENCH_CONCURRENCY_SECONDS", size("60", "6")))
CLIENTS = int(size("8", "2"))
AGENTS = int(size("4", "2"))
SLUG = "bench-concurrency"
PASSWORD = "motdepasse-solide-42"
EMAIL_DOMAIN = "bench-concurrency.invalid"
SETTLE_TIMEOUT = 300
# The sweep re-queues what is still owed this long after it was recorded (beat's is 300 s);
# at smoke size sooner, so the run does not idle 20 s after the kill: a document still
# queued, not lost, is then queued twice, and must still be issued once.
SWEEP_AFTER = timedelta(seconds=int(size("20", "5")))
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A cookie-keeping HTTP client on the live server, for one member site."""

    def __init__(self, base: str, host: str):
        self.base, self.host = base, host
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, method: str, path: str, *, form=None, body=None) -> tuple[int, str]:
        headers = {"Host": self.host, "Referer": f"http://{self.host}{path}"}
        data = None
        if form is not None:
            data = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": self.csrf()}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = 0
        self.agent_ops = 0
        self.errors: list[str] = []
        self.died: list[str] = []

    def add(self, status: int, what: str, *, agent: bool = False) -> int:
        with self.lock:
            self.ops += 1
            self.agent_ops += agent
            if status >= 500:
                self.errors.append(f"{status} {what}")
        return status


def guarded(loop, n: int, *args) -> None:
    """Run a client's or agent's loop; a loop that raises is counted, not silently lost
    (a thread that died early once left the run without agents, its figures still 0)."""
    tally = args[-1]
    try:
        loop(n, *args)
    except Exception as exc:
        with tally.lock:
            tally.died.append(f"{loop.__name__} {n}: {exc!r}")


IDENTITY = {
    "last_name": "Bench",
    "first_name": "Usager",
    "postal_address": "1 place de la Mairie",
}


def client_loop(n: int, base: str, host: str, stop: threading.Event, tally: Tally) -> None:
    browser = Browser(base, host)
    through_pages = n % 2 == 0
    i = 0
    while not stop.is_set():
        i += 1
        email = f"client{n}-{i}@{EMAIL_DOMAIN}"
        if through_pages:
            tally.add(browser.request("GET", "/demarches/formulaire/bench/")[0], "form")
            form = {f"id-{k}": v for k, v in IDENTITY.items()}
            form.update({"id-email": email, "f-objet": f"page {n}/{i}", "action": "deposer"})
            status, _ = browser.request("POST", "/demarches/formulaire/bench/", form=form)
            tally.add(status, "file page")
        else:
            body = {**IDENTITY, "email": email, "data": {"objet": f"api {n}/{i}"}}
            status, _ = browser.request("POST", "/api/sve/formulaires/bench/demandes/", body=body)
            tally.add(status, "file api")
        time.sleep(random.uniform(0.05, 0.3))


def agent_loop(n: int, base: str, host: str, stop: threading.Event, tally: Tally) -> None:
    browser = Browser(base, host)
    # The CSRF cookie from a page with a form: a member host's login page answers GET with
    # single sign-on on the operator's host; its form still takes a POST (no second factor).
    browser.request("GET", "/demarches/formulaire/bench/")
    status, _ = browser.request(
        "POST",
        "/comptes/connexion/",
        form={"username": f"agent{n}@{EMAIL_DOMAIN}", "password": PASSWORD},
    )
    tally.add(status, "login")
    rng = random.Random(n)
    while not stop.is_set():
        # The agent's table, then one request to work on (each agent its own share).
        tally.add(browser.request("GET", "/demarches/gestion/")[0], "dashboard", agent=True)
        with tenant_context(TENANT):
            todo = list(
                Request.objects.filter(
                    status__in=(Status.SUBMITTED, Status.ACKNOWLEDGED, Status.AWAITING_PIECES)
                )
                .annotate(share=Mod("id", AGENTS))
                .filter(share=n)
                .values_list("pk", "status")[:20]
            )
        connection.close()
        if not todo:
            time.sleep(0.2)
            continue
        pk, status = rng.choice(todo)
        url = f"/demarches/gestion/demandes/{pk}/"
        tally.add(browser.request("GET", url)[0], "open", agent=True)
        if status == Status.SUBMITTED:
            form, action = {"regime": rng.choice(["sva", "svr"])}, "qualifier"
        elif status == Status.ACKNOWLEDGED and rng.random() < 0.4:
            due = (timezone.localdate() + timedelta(days=15)).isoformat()
            form, action = {"items": "Plan de situation", "due_on": due}, "pieces"
        else:
            accept = rng.random() < 0.7
            form = {"decision": "accept" if accept else "reject", "reasons": "Motifs du bench"}
            action = "decider"
        # The redirect lands on the request's page again (the "opened" entry).
        tally.add(browser.request("POST", url + action + "/", form=form)[0], action, agent=True)


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DJANGO_DEBUG": "0"}
    # 12 clients from one loopback address: the abuse limits are not what is measured.
    # (An empty limit, documented as "no limit", answers 500 on the API: see the report.)
    for name in ("FILING_IP", "FILING_ACCOUNT", "LOGIN_IP", "LOGIN_ACCOUNT"):
        env[f"LIMIT_{name}"] = "100000/m"
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the live server did not start") from None
            time.sleep(0.2)


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "solo",
            "-Q",
            QUEUE,
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"},
    )


def cleanup() -> None:
    connection.set_schema_to_public()
    for tenant in Collectivite.objects.filter(slug=SLUG):
        OutboxMessage.objects.filter(schema_name=tenant.schema_name).delete()
        tenant.delete(force_drop=True)
    User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    queue_drop(QUEUE)


def prepare() -> Collectivite:
    cleanup()
    tenant = collectivite_create(name="Bench concurrence", slug=SLUG, insee_code="05061")
    with tenant_context(tenant):
        form = services.form_create(
            acting_user=None,
            slug="bench",
            title="Demande du bench",
            description="",
            fields=[{"name": "objet", "label": "Objet", "type": "text", "required": True}],
            regime="sva",
            delay_months=2,
            delay_days=0,
            service_name="Service du bench",
            service_address="Mairie",
            service_email="service@bench-concurrency.invalid",
            service_phone="04 92 00 00 00",
            appeal_routes="Tribunal administratif",
        )
        services.form_enable(form=form, acting_user=None, enabled=True)
    for n in range(AGENTS):
        user = User.objects.create_user(email=f"agent{n}@{EMAIL_DOMAIN}", password=PASSWORD)
        membership_grant(user=user, collectivite=tenant, role=Membership.Role.AGENT)
    return tenant


def owed_count() -> int:
    """AEE, AR and decisions a request's status says are owed and that are not issued."""
    missing = 0
    rows = Request.objects.exclude(status=Status.DRAFT).values_list("pk", "status")
    issued = set(
        Document.objects.filter(kind__in=Document.ISSUED).values_list("request_id", "kind")
    )
    for pk, status in rows:
        owed = [Document.Kind.AEE]
        if status != Status.SUBMITTED:
            owed.append(Document.Kind.AR)
        if status in (Status.ACCEPTED, Status.REJECTED):
            owed.append(Document.Kind.DECISION)
        missing += sum((pk, kind) not in issued for kind in owed)
    return missing


def duplicates(schema_name: str) -> int:
    documents = (
        Document.objects.filter(kind__in=Document.ISSUED)
        .values("request_id", "kind")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    # The mail of each document carries its title and the request's reference.
    mails = (
        OutboxMessage.objects.filter(schema_name=schema_name)
        .values("subject")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    return documents + mails


def main() -> None:
    global TENANT
    began = time.monotonic()
    TENANT = prepare()
    print(f"# prepared in {time.monotonic() - began:.1f} s", flush=True)
    host = f"{SLUG}.localhost"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = worker = None
    try:
        server = start_server(port)
        worker = start_worker()
        halt = threading.Event()
        tally = Tally()
        threads = [
            threading.Thread(target=guarded, args=(client_loop, n, base, host, halt, tally))
            for n in range(CLIENTS)
        ] + [
            threading.Thread(target=guarded, args=(agent_loop, n, base, host, halt, tally))
            for n in range(AGENTS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(DURATION / 2)
        os.kill(worker.pid, signal.SIGKILL)  # mid-run: whatever it held is lost
        worker.wait(timeout=10)
        time.sleep(1)
        worker = start_worker()
        time.sleep(DURATION / 2)
        halt.set()
        for thread in threads:
            thread.join(timeout=120)
        print(f"# clients stopped at {time.monotonic() - began:.1f} s", flush=True)
        # Beat's sweep a few minutes later: re-queue whatever is still owed, until settled.
        deadline = time.monotonic() + SETTLE_TIMEOUT
        requeued = 0
        with tenant_context(TENANT):
            while True:
                pending = OwedDocument.objects.filter(issued_at=None).count()
                if not pending or time.monotonic() > deadline:
                    break
                requeued += owed_sweep(older_than=SWEEP_AFTER)["requeued"]
                time.sleep(2)
            print(f"# settled at {time.monotonic() - began:.1f} s", flush=True)
            time.sleep(3)  # a duplicate, if any, would land now
            missing = owed_count() + OwedDocument.objects.filter(issued_at=None).count()
            duplicated = duplicates(TENANT.schema_name)
            filed = Request.objects.exclude(status=Status.DRAFT).count()
            issued = Document.objects.filter(kind__in=Document.ISSUED).count()
        figure("concurrent_ops", tally.ops, "count")
        figure("concurrent_agent_ops", tally.agent_ops, "count")
        figure("concurrent_threads_died", len(tally.died), "count")
        for line in tally.died:
            print("#", line)
        figure("concurrent_5xx", len(tally.errors), "count")
        figure("owed_documents_missing", missing, "count")
        figure("documents_duplicated", duplicated, "count")
        figure("concurrent_requests_filed", filed, "count")
        figure("concurrent_documents_issued", issued, "count")
        figure("concurrent_sweep_requeued", requeued, "count")
        if tally.errors:
            print("server errors: " + ", ".join(tally.errors[:10]), file=sys.stderr)
    finally:
        stop(worker)
        stop(server)
        cleanup()
        print(f"# cleaned up at {time.monotonic() - began:.1f} s", flush=True)


TENANT: Collectivite | None = None

if __name__ == "__main__":
    main()
