"""Appointment slots: how fast free slots are found, and whether a booking storm can ever
double-book an agent.

One commune with 20 agents, 3 places, 10 appointment types and weekly openings over six
months, half booked. Prints:
  slots_next_p95 <ms> ms    next 10 free slots of a type
  slots_week_p95 <ms> ms    free slots of a type over one week
Then starts a real HTTP server (gunicorn) on 127.0.0.1 against the same database: 50
concurrent clients race over loopback for the same 10 slots through the API for at most
30 s, and prints storm_booked, storm_conflicts and storm_overlaps (overlapping active
appointments of one agent counted in the database afterwards: must be 0).

Run: .venv/bin/python -m portal.embedded run -- .venv/bin/python bench/slots.py
The commune, its schema, its accounts and its queued messages are removed afterwards.
"""

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

from _setup import ROOT as BASE_DIR
from _setup import p95, setup, size

setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.accounts.models import User  # noqa: E402
from rendezvous import selectors  # noqa: E402
from rendezvous.models import (  # noqa: E402
    Appointment,
    AppointmentType,
    OpeningRule,
    Place,
    PlaceHours,
    Service,
)
from tenants.models import Collectivite, Membership  # noqa: E402
from tenants.services import collectivite_create, schema_name_for  # noqa: E402

SLUG = "bench-slots"
AGENTS, PLACES, TYPES = size(20, 10), 3, 10  # each type offered by 5 agents at least
MONTHS_DAYS = size(183, 30)
SAMPLES = size(60, 10)
CLIENTS, STORM_SLOTS, STORM_SECONDS = size(50, 10), 10, size(30, 10)
EMAIL_DOMAIN = "bench-slots.invalid"


def cleanup() -> None:
    connection.set_schema_to_public()
    Collectivite.objects.filter(slug=SLUG).delete()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name_for(SLUG)}" CASCADE')
    User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()


def build() -> tuple[Collectivite, list[AppointmentType]]:
    cleanup()
    commune = collectivite_create(name="Commune du banc d'essai", slug=SLUG, insee_code="05061")
    agents = [
        User.objects.create_user(email=f"agent{n}@{EMAIL_DOMAIN}", password=None)
        for n in range(AGENTS)
    ]
    Membership.objects.bulk_create(
        Membership(user=agent, collectivite=commune, role=Membership.Role.AGENT) for agent in agents
    )
    connection.set_tenant(commune)
    services = [Service.objects.create(name=f"Service {n}") for n in range(3)]
    places = [
        Place.objects.create(name=f"Lieu {n}", address=f"{n} rue de la Mairie")
        for n in range(PLACES)
    ]
    # Weekdays 9 h - 12 h and 14 h - 17 h: the openings below fill the hours exactly.
    PlaceHours.objects.bulk_create(
        PlaceHours(place=place, weekday=day, opens=opens, closes=closes)
        for place in places
        for day in range(5)
        for opens, closes in ((clock(9), clock(12)), (clock(14), clock(17)))
    )
    types = [
        AppointmentType.objects.create(
            service=services[n % 3],
            name=f"Type {n}",
            duration_minutes=(15, 20, 30, 45, 60)[n % 5],
            buffer_minutes=5 if n % 2 and (15, 20, 30, 45, 60)[n % 5] <= 30 else 0,
            modes=["in_person", "visio", "phone"],
            min_delay_hours=1,
            max_delay_days=MONTHS_DAYS,
        )
        for n in range(TYPES)
    ]
    today = timezone.localdate()
    until = today + timedelta(days=MONTHS_DAYS)
    for index, agent in enumerate(agents):
        place = places[index % PLACES]
        offered = [types[(index + k) % TYPES] for k in range(5)]
        for weekday in range(5):
            for start, end in ((clock(9), clock(12)), (clock(14), clock(17))):
                rule = OpeningRule.objects.create(
                    agent_id=agent.pk,
                    place=place,
                    weekday=weekday,
                    start_time=start,
                    end_time=end,
                    valid_from=today,
                    valid_until=until,
                )
                rule.types.set(offered)
    # Half booked: every other hour of every opening, six months long.
    tz = selectors.TZ
    rows = []
    for index, agent in enumerate(agents):
        place = places[index % PLACES]
        kind = types[index % TYPES]
        for offset in range(MONTHS_DAYS + 1):
            day = today + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for hour in (9, 11, 15):
                start = datetime.combine(day, clock(hour), tz)
                rows.append(
                    Appointment(
                        type=kind,
                        agent_id=agent.pk,
                        place=place,
                        mode="in_person",
                        starts_at=start,
                        ends_at=start + timedelta(minutes=60),
                        blocked_until=start + timedelta(minutes=60),
                        status=Appointment.Status.BOOKED,
                        first_name="Usager",
                        last_name=str(offset),
                        email=f"usager@{EMAIL_DOMAIN}",
                    )
                )
    Appointment.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return commune, types


def measure(types: list[AppointmentType]) -> None:
    random.seed(5)
    today = timezone.localdate()
    for kind in types:  # warm-up (imports, caches, plans)
        selectors.next_free_slots(appointment_type=kind, count=10)
    timings_next, timings_week = [], []
    for sample in range(SAMPLES):
        kind = types[sample % TYPES]
        started = time.perf_counter()
        found = selectors.next_free_slots(appointment_type=kind, count=10)
        timings_next.append((time.perf_counter() - started) * 1000)
        assert len(found) == 10, "the bench data should leave free slots"
        week = today + timedelta(days=random.randrange(0, MONTHS_DAYS - 7))
        started = time.perf_counter()
        selectors.free_slots(appointment_type=kind, start=week, end=week + timedelta(days=6))
        timings_week.append((time.perf_counter() - started) * 1000)
    print(f"slots_next_p95 {p95(timings_next):.1f} ms", flush=True)
    print(f"slots_week_p95 {p95(timings_week):.1f} ms", flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, host: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the HTTP server stopped at start")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/rendez-vous/types/", headers={"Host": host})
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the HTTP server did not answer")


def storm(commune: Collectivite, types: list[AppointmentType]) -> None:
    connection.set_tenant(commune)
    host = commune.get_primary_domain().domain
    kind = types[2]  # 30 minutes, no buffer
    slots = selectors.next_free_slots(appointment_type=kind, count=STORM_SLOTS)
    targets = [
        {
            "type_id": kind.pk,
            "place_id": slot.place_id,
            "starts_at": slot.starts_at.isoformat(),
            "mode": "visio",
            "first_name": "Usager",
            "last_name": "Tempête",
        }
        for slot in slots
    ]
    # Each (time, place) slot may be offered by several agents: that many bookings fit.
    capacity = sum(
        len(
            selectors.slot_agents(
                appointment_type=kind, place_id=slot.place_id, starts_at=slot.starts_at
            )
        )
        for slot in slots
    )
    port = _free_port()
    env = dict(os.environ, DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="portal.settings")
    # Every client books from one loopback address: the abuse limits are not what is measured
    # (a 429 would be counted as an error).
    env.update(LIMIT_BOOKING_IP="100000/m", LIMIT_BOOKING_ACCOUNT="100000/m")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--threads",
            "8",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    counts = {"booked": 0, "conflicts": 0, "errors": 0}
    lock = threading.Lock()
    try:
        _wait_for(port, host, server)
        deadline = time.monotonic() + STORM_SECONDS
        all_taken = threading.Event()
        start_gate = threading.Barrier(CLIENTS)

        def client(number: int) -> None:
            rng = random.Random(number)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            start_gate.wait()
            attempt = 0
            while time.monotonic() < deadline and not all_taken.is_set():
                attempt += 1
                body = dict(rng.choice(targets), email=f"c{number}-{attempt}@{EMAIL_DOMAIN}")
                try:
                    conn.request(
                        "POST",
                        "/api/rendez-vous/reservations/",
                        body=json.dumps(body),
                        headers={"Host": host, "Content-Type": "application/json"},
                    )
                    response = conn.getresponse()
                    response.read()
                except OSError:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    with lock:
                        counts["errors"] += 1
                    continue
                with lock:
                    if response.status == 201:
                        counts["booked"] += 1
                    elif response.status == 409:
                        counts["conflicts"] += 1
                    else:
                        counts["errors"] += 1
            conn.close()

        def watcher() -> None:
            # Stop early once no client can book anything: every target slot is taken.
            connection.set_tenant(commune)
            while time.monotonic() < deadline and not all_taken.is_set():
                time.sleep(0.5)
                free = selectors.next_free_slots(appointment_type=kind, count=STORM_SLOTS)
                offered = {(s.starts_at.isoformat(), s.place_id) for s in free}
                if not any((t["starts_at"], t["place_id"]) in offered for t in targets):
                    time.sleep(1)  # let the last in-flight requests be refused
                    all_taken.set()
            connections.close_all()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        threads.append(threading.Thread(target=watcher))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(STORM_SECONDS + 30)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    connection.set_tenant(commune)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM rendezvous_appointment a
            JOIN rendezvous_appointment b
              ON a.agent_id = b.agent_id AND a.id < b.id
             AND tstzrange(a.starts_at, a.blocked_until, '[)')
                 && tstzrange(b.starts_at, b.blocked_until, '[)')
            WHERE a.status IN ('held', 'booked', 'seen', 'no_show')
              AND b.status IN ('held', 'booked', 'seen', 'no_show')
            """
        )
        overlaps = cursor.fetchone()[0]
    print(f"storm_capacity {capacity} appointments", flush=True)
    print(f"storm_booked {counts['booked']} appointments", flush=True)
    print(f"storm_conflicts {counts['conflicts']} requests", flush=True)
    print(f"storm_overlaps {overlaps} pairs", flush=True)
    if counts["errors"]:
        print(f"storm_errors {counts['errors']} requests", flush=True)


def purge_queued_messages(schema_name: str) -> None:
    """Drop the confirmation tasks the storm queued for this commune (no worker runs here)."""
    import redis

    url = settings.CELERY_BROKER_URL
    if url.startswith("redis+socket://"):
        client = redis.Redis(unix_socket_path=url.removeprefix("redis+socket://"))
    else:
        client = redis.Redis.from_url(url)
    for raw in client.lrange("celery", 0, -1):
        try:
            headers = json.loads(raw).get("headers", {})
        except ValueError:
            continue
        if headers.get("_schema_name") == schema_name:
            client.lrem("celery", 1, raw)


def main() -> None:
    commune = None
    try:
        commune, types = build()
        measure(types)
        storm(commune, types)
    finally:
        purge_queued_messages(schema_name_for(SLUG))
        cleanup()


if __name__ == "__main__":
    main()
