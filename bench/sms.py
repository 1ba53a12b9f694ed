"""SMS reminders (issue 28): 10,000 reminders due in one tick over 200 communes, sent by a
real Celery worker through the real Brevo client to the stand-in provider on loopback;
the worker is SIGKILLed mid-run and restarted.

Prints ``sms_tick_10k_s`` (from the tick to the last SMS handed to the provider or settled;
the worker is up before the tick, as in production, and its restart after the kill timed),
``sms_duplicates`` (SMS the provider received twice: must be 0) and ``sms_segments_mean``
(segments per SMS sent, over the demo's templates). ``BENCH_SMOKE=1``: 2 communes, 40 SMS.
"""

import os
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta

QUEUE = f"bench_sms_{os.getpid()}"
KEY = "bench-sms-key"
os.environ |= {"CELERY_QUEUE": QUEUE, "SMS_API_KEY": KEY}
# The bench runs at any hour: no quiet hours for it (they are tested in tests/rendezvous).
os.environ |= {"SMS_QUIET_FROM": "00:00", "SMS_QUIET_UNTIL": "00:00"}

from _setup import ROOT, figure, setup, size, stop  # noqa: E402

COMMUNES = size(200, 2)
PER_COMMUNE = size(50, 20)
SLUG = "bench-sms"
# Seconds between two looks at the provider: the figure's resolution.
POLL = 0.5
PYTHON = sys.executable


def stand_in_start() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [PYTHON, "-m", "portal.sms.stand_in"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    ready, _, _ = select.select([process.stdout], [], [], 30)
    line = process.stdout.readline() if ready else ""
    if not line.startswith("PORT "):
        raise SystemExit(f"stand-in provider did not start: {line!r}")
    return process, f"http://127.0.0.1:{line.split()[1]}"


stand_in, STAND_IN_URL = stand_in_start()
os.environ["SMS_API_URL"] = STAND_IN_URL
setup()

import requests  # noqa: E402
from amqp.exceptions import ChannelError  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from portal.celery import app as celery_app  # noqa: E402
from portal.celery import queue_drop  # noqa: E402
from portal.owed.models import OwedDocument  # noqa: E402
from portal.owed.services import owed_sweep  # noqa: E402
from portal.sms.models import TextMessage  # noqa: E402
from portal.sms.services import SENDING_LOST_AFTER  # noqa: E402
from rendezvous import sms  # noqa: E402
from rendezvous.models import Appointment, AppointmentType, Mode, Place, Service  # noqa: E402
from tenants.models import Collectivite  # noqa: E402
from tenants.services import collectivite_create  # noqa: E402


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "portal", "worker", "--pool", "prefork",
         "--concurrency", "2", "-Q", QUEUE, "--loglevel", "WARNING",
         "--without-mingle", "--without-gossip", "--without-heartbeat"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"},
    )  # fmt: skip


def worker_ready() -> None:
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(timeout=0.5):
        if time.monotonic() > deadline:
            raise SystemExit("the worker did not start")


def cleanup() -> None:
    connection.set_schema_to_public()
    for tenant in Collectivite.objects.filter(slug__startswith=SLUG):
        tenant.delete(force_drop=True)
    queue_drop(QUEUE)


def prepare() -> list[Collectivite]:
    cleanup()
    tenants = []
    starts = timezone.now() + timedelta(hours=20)
    for n in range(COMMUNES):
        tenant = collectivite_create(
            name=f"Commune du bench {n}", slug=f"{SLUG}-{n}", insee_code=""
        )
        with tenant_context(tenant):
            service = Service.objects.create(name="État civil")
            place = Place.objects.create(name="Mairie", address="1 place de la Mairie")
            kind = AppointmentType.objects.create(
                service=service, name="Passeport", duration_minutes=15, modes=[Mode.IN_PERSON]
            )
            Appointment.objects.bulk_create(
                Appointment(
                    type=kind,
                    agent_id=1,
                    place=place,
                    mode=Mode.IN_PERSON,
                    starts_at=starts + timedelta(minutes=15 * i),
                    ends_at=starts + timedelta(minutes=15 * i + 15),
                    blocked_until=starts + timedelta(minutes=15 * i + 15),
                    status=Appointment.Status.BOOKED,
                    first_name="Camille",
                    last_name="Usager",
                    email=f"usager{i}@bench-sms.invalid",
                    phone=f"06 12 {i // 100:02d} {i % 100:02d} 00",
                )
                for i in range(PER_COMMUNE)
            )
        tenants.append(tenant)
    return tenants


def queued() -> int:
    """Messages waiting in the worker's queue (not those a worker has taken)."""
    with celery_app.connection_for_write() as conn:
        try:
            return conn.default_channel.queue_declare(QUEUE, passive=True).message_count
        except ChannelError:  # Redis holds no empty list: an emptied queue is gone
            return 0


def sms_pending(tenants) -> int:
    pending = 0
    for tenant in tenants:
        with tenant_context(tenant):
            pending += OwedDocument.objects.filter(
                kind=sms.OWED[sms.REMINDER], issued_at__isnull=True
            ).count()
            pending += TextMessage.objects.filter(status__in=["queued", "sending"]).count()
    return pending


def main() -> None:
    worker = None
    try:
        tenants = prepare()
        total = COMMUNES * PER_COMMUNE
        worker = start_worker()
        worker_ready()  # a worker is up when the beat's tick comes: its start is not timed
        started = time.perf_counter()
        for tenant in tenants:  # the tick: each commune's reminder job owes its SMS
            with tenant_context(tenant):
                ids = list(Appointment.objects.values_list("pk", flat=True))
                sms.sms_reminders_owe(appointment_ids=ids)
        killed = False
        last_received = -1
        deadline = time.monotonic() + 900
        while True:
            received = requests.get(STAND_IN_URL + "/_stand_in/count", timeout=30).json()
            received = received["count"]
            if not killed and received >= total // 3:
                os.kill(worker.pid, signal.SIGKILL)  # mid-run: its tasks are lost with it
                worker.wait(timeout=10)
                worker = start_worker()
                killed = True
            stalled = received == last_received
            # (200 schemas to read: only once all arrived, or nothing arrives any more)
            if killed and (stalled or received >= total) and sms_pending(tenants) == 0:
                break
            last_received = received
            if killed and stalled and received < total and queued() == 0:
                later = datetime.now().astimezone() + SENDING_LOST_AFTER * 2
                # Nothing arrives and nothing is left queued: what the beat's sweeps would do
                # minutes later (the tasks lost with the killed worker queued again, its claims
                # settled as unknown: never resent).
                for tenant in tenants:
                    with tenant_context(tenant):
                        owed_sweep(older_than=timedelta(seconds=5))
                        sms.sms_sweep(now=later)
            if time.monotonic() > deadline:
                raise SystemExit("SMS still owed after 15 minutes")
            time.sleep(POLL)
        elapsed = time.perf_counter() - started
        messages = requests.get(STAND_IN_URL + "/_stand_in/messages", timeout=30).json()
        tags = Counter(m["tag"] for m in messages)
        figure("sms_tick_10k_s", elapsed * 10_000 / total, "s")
        figure("sms_duplicates", sum(n - 1 for n in tags.values() if n > 1), "sms")
        figure("sms_segments_mean", sum(m["smsCount"] for m in messages) / len(messages), "")
    finally:
        stop(worker)
        cleanup()
        stand_in.terminate()
        stand_in.wait(timeout=10)


if __name__ == "__main__":
    main()
