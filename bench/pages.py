"""Pages fast enough: each page's throughput against a bare view, same server, same run.

A commune of Briançon's size (5,000 online requests, 20 agents with their weekly openings
and four weeks of booked appointments, the demo's forms and places) is built in its own
schema; 2 gunicorn workers serve the portal plus a bare view (bench/pages_wsgi.py) that goes
through the same middleware. Client threads hit one URL at a time for a few seconds,
alternating with the bare view; the ratio of the two throughputs is kept per round and the
median of the rounds is printed:

  page_ratio_home        the commune's home page (anonymous)
  page_ratio_demarches   /demarches/ (anonymous)
  page_ratio_rendezvous  /rendez-vous/ (anonymous)
  page_ratio_requests    the agents' request table /demarches/gestion/ (signed-in agent)
  page_ratio_agenda      the agent's agenda /rendez-vous/gestion/?vue=semaine (signed-in)

plus bare_rps (the bare view's requests per second, for scale). Target: ratio ≥ 0.5 each.

Run: .venv/bin/python -m portal.embedded run -- .venv/bin/python bench/pages.py
The commune, its schema and its accounts are removed afterwards.
"""

import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

from _setup import ROOT, figure, setup, size

setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.accounts.models import User  # noqa: E402
from tenants.models import Collectivite, Membership  # noqa: E402
from tenants.services import collectivite_create, schema_name_for  # noqa: E402

SLUG = "bench-pages"
EMAIL_DOMAIN = "bench-pages.invalid"
AGENTS = 20
REQUESTS = size(5_000, 300)
APPOINTMENT_DAYS = 28
WORKERS = 2
CLIENT_THREADS = 4
SECONDS = float(os.environ.get("BENCH_PAGES_SECONDS", size("4", "0.5")))
ROUNDS = int(os.environ.get("BENCH_PAGES_ROUNDS", size("3", "1")))
PAGES = {
    "home": ("/", False),
    "demarches": ("/demarches/", False),
    "rendezvous": ("/rendez-vous/", False),
    "requests": ("/demarches/gestion/", True),
    "agenda": ("/rendez-vous/gestion/?vue=semaine", True),
}


def cleanup() -> None:
    connection.set_schema_to_public()
    Collectivite.objects.filter(slug=SLUG).delete()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name_for(SLUG)}" CASCADE')
    User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()


def build() -> tuple[Collectivite, User]:
    from rendezvous import demo as rendezvous_demo
    from rendezvous.models import Appointment, AppointmentType, OpeningRule
    from sve import demo as sve_demo
    from sve.models import Form, Request, Status
    from tenants import demo as tenants_demo

    cleanup()
    started = time.perf_counter()
    commune = collectivite_create(
        name="Briançon (banc d'essai)", slug=SLUG, population_totale=12_000
    )
    tenants_demo.seed_tenant(commune)
    agents = [
        User.objects.create_user(
            email=f"agent{n}@{EMAIL_DOMAIN}",
            password=None,
            first_name="Agent",
            last_name=f"N°{n}",
        )
        for n in range(AGENTS)
    ]
    Membership.objects.bulk_create(
        Membership(
            user=agent,
            collectivite=commune,
            role=Membership.Role.ADMIN if n == 0 else Membership.Role.AGENT,
            title="Agent instructeur",
        )
        for n, agent in enumerate(agents)
    )
    connection.set_tenant(commune)
    rendezvous_demo.seed_tenant(commune)
    sve_demo.seed_tenant(commune)

    forms = list(Form.objects.select_related("current_version").filter(is_enabled=True))
    now = timezone.now()
    statuses = [
        Status.SUBMITTED,
        Status.ACKNOWLEDGED,
        Status.AWAITING_PIECES,
        Status.INSTRUCTION,
        Status.ACCEPTED,
        Status.REJECTED,
        Status.IMPLICITLY_ACCEPTED,
    ]
    rows = []
    for i in range(REQUESTS):
        form = forms[i % len(forms)]
        received = now - timedelta(days=i % 120, minutes=i)
        rows.append(
            Request(
                form=form,
                form_version=form.current_version,
                reference=f"2026-P{i:07d}",
                access_token=secrets.token_urlsafe(32),
                status=statuses[i % len(statuses)],
                last_name=f"Nom{i}",
                first_name="Prénom",
                email=f"u{i}@{EMAIL_DOMAIN}",
                regime=form.current_version.regime,
                received_at=received,
                received_on=received.date(),
                ar_due_on=(received + timedelta(days=14)).date(),
                implicit_decision_on=(received + timedelta(days=61)).date(),
                assignee_id=agents[i % AGENTS].pk if i % 3 else None,
            )
        )
    Request.objects.bulk_create(rows, batch_size=2000)

    # Four weeks of appointments: every agent's morning openings at the mairie, one an hour.
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    appointments = []
    for rule in OpeningRule.objects.filter(start_time=clock(9)).prefetch_related("types"):
        kind = min(rule.types.all(), key=lambda t: t.pk)
        for offset in range(APPOINTMENT_DAYS):
            day = today + timedelta(days=offset)
            if day.weekday() != rule.weekday:
                continue
            for hour in (9, 10, 11):
                start = datetime.combine(day, clock(hour), tz)
                end = start + timedelta(minutes=kind.duration_minutes)
                appointments.append(
                    Appointment(
                        type=kind,
                        agent_id=rule.agent_id,
                        place_id=rule.place_id,
                        mode="in_person",
                        starts_at=start,
                        ends_at=end,
                        blocked_until=end + timedelta(minutes=kind.buffer_minutes),
                        status=Appointment.Status.BOOKED,
                        first_name="Usager",
                        last_name=f"{offset}-{hour}",
                        email=f"usager@{EMAIL_DOMAIN}",
                    )
                )
    Appointment.objects.bulk_create(appointments, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"# {REQUESTS} requests, {len(appointments)} appointments, "
        f"{AppointmentType.objects.count()} appointment types, {AGENTS} agents "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    connection.set_schema_to_public()
    return commune, agents[0]


def session_cookie(host: str, user: User) -> str:
    """Sign in through Django's own machinery (the session lands in the shared store)."""
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, host: str, path: str, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": host, "Connection": "close"}
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def throughput(port: int, host: str, path: str, cookie: str) -> float:
    """Requests per second answered 200 by the server, CLIENT_THREADS at a time."""
    counts = [0] * CLIENT_THREADS
    errors: list[int] = []
    deadline = time.monotonic() + SECONDS

    def client(index: int) -> None:
        while time.monotonic() < deadline:
            status = get(port, host, path, cookie)
            if status == 200:
                counts[index] += 1
            else:
                errors.append(status)
                return

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{path} answered {errors[0]}")
    return sum(counts) / (time.monotonic() - started)


def serve(port: int) -> subprocess.Popen:
    env = dict(os.environ, DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="portal.settings")
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "bench.pages_wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def wait_for(port: int, host: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the HTTP server stopped at start")
        try:
            if get(port, host, "/__bench__/nu/", "") == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the HTTP server did not answer")


def measure(commune: Collectivite, agent: User) -> None:
    host = commune.get_primary_domain().domain
    cookies = {False: "", True: session_cookie(host, agent)}
    port = _free_port()
    server = serve(port)
    try:
        wait_for(port, host, server)
        for path, signed_in in PAGES.values():  # warm-up: imports, caches, query plans
            for _ in range(2 * WORKERS):
                assert get(port, host, path, cookies[signed_in]) == 200, path
        ratios: dict[str, list[float]] = {name: [] for name in PAGES}
        bare_rates: list[float] = []
        for _ in range(ROUNDS):
            for name, (path, signed_in) in PAGES.items():
                cookie = cookies[signed_in]
                bare = throughput(port, host, "/__bench__/nu/", cookie)
                page = throughput(port, host, path, cookie)
                ratios[name].append(page / bare)
                bare_rates.append(bare)
        figure("bare_rps", statistics.median(bare_rates), "req/s")
        for name, values in ratios.items():
            figure(f"page_ratio_{name}", statistics.median(values), "ratio")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    commune, agent = build()
    try:
        measure(commune, agent)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
