"""Scale figures: 1,000 member schemas on one PostgreSQL (issue 14).

Creates members by cloning the template schema (``collectivite_create``, as onboarding
does) until there are 1,000, measuring the citizen's pages before (at 3 members) and after.
Prints:
  scale_members <n>                       member schemas at the end
  scale_onboard_median <s> s              onboarding one more commune (commune_onboard)
  scale_citizen_dashboard_ratio <r>       "Mes demandes" p95 at 1,000 / p95 at 3 (<= 1.5)
  scale_citizen_appointments_ratio <r>    "Mes rendez-vous", the same
  scale_migrate_noop <s> s                `manage.py migrate_schemas`, nothing to do (<= 60)
  scale_fanout_round <s> s                one round of sve.implicit_decisions over every
                                          member through one real worker (solo pool, <= 60)
  scale_catalog_relations <n>             rows of pg_class (the catalog's size)
  scale_database_size <MB> MB
  scale_pg_dump <s> s                     a full pg_dump (custom format, to /dev/null)

Run: .venv/bin/python -m portal.embedded run -- .venv/bin/python bench/scale.py [--keep]
Runs on the development database (never the test one). Its members are "scale-NNNN";
``--keep`` leaves them for the next run, which then reuses them (and says so; the "at 3"
figures are then taken with the members already there). Tasks go to a private queue.
"""

import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from _setup import ROOT, figure, p95, setup, size

QUEUE = f"bench_scale_{os.getpid()}"
os.environ["CELERY_QUEUE"] = QUEUE  # before Django's settings: fanned-out tasks go there
setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.accounts.models import User  # noqa: E402
from portal.audit.trail import SYSTEM_COMMAND  # noqa: E402
from portal.celery import app as celery_app  # noqa: E402
from portal.celery import queue_drop  # noqa: E402
from portal.jobs.tasks import fan_out, run_tenant_job  # noqa: E402
from portal.outbox.models import OutboxMessage  # noqa: E402
from portal.tasks import send_to_tenant  # noqa: E402
from tenants.models import Collectivite, CommuneReference  # noqa: E402
from tenants.services import collectivite_create, commune_onboard  # noqa: E402
from tenants.services.reference import SHIPPED_FILE, commune_reference_import_files  # noqa: E402

TARGET = int(os.environ.get("SCALE_TARGET", size("1000", "8")))  # smaller for a quick try
PREFIX = "scale-"
EMAIL_DOMAIN = "bench-scale.invalid"
HITS, WARMUP = size(200, 10), size(20, 2)
ONBOARD = size(10, 2)
ONBOARD_DEPARTEMENT = "38"
JOB = "sve.implicit_decisions"
PARIS = ZoneInfo("Europe/Paris")
KEEP = "--keep" in sys.argv


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def cleanup(*, members: bool) -> None:
    connection.set_schema_to_public()
    if members:
        made = list(Collectivite.objects.filter(slug__startswith=PREFIX))
        started = time.perf_counter()
        for tenant in made:
            tenant.delete(force_drop=True)
        log(f"{len(made)} members removed in {time.perf_counter() - started:.0f} s")
    for message in OutboxMessage.objects.all().only("id", "to"):
        if message.to and all(address.endswith("@" + EMAIL_DOMAIN) for address in message.to):
            message.delete()
    User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()
    queue_drop(QUEUE)


def grow(until: int) -> list[Collectivite]:
    """Clone members until there are ``until``, two of them at least the bench's own (the
    citizen's); returns the bench's members."""
    connection.set_schema_to_public()  # pages served before leave their member's schema
    have = Collectivite.objects.members().count()
    started, made = time.perf_counter(), 0
    index = Collectivite.objects.filter(slug__startswith=PREFIX).count()
    while have < until or index < 2:
        index += 1
        collectivite_create(name=f"Scale {index:04d}", slug=f"{PREFIX}{index:04d}")
        have, made = have + 1, made + 1
        if made % 100 == 0:
            log(f"{have} members ({(time.perf_counter() - started) / made:.2f} s a clone)")
    if made:
        log(f"{made} clones in {time.perf_counter() - started:.0f} s")
    return list(Collectivite.objects.filter(slug__startswith=PREFIX).order_by("slug"))


def citizen_in(members: list[Collectivite]) -> User:
    """A citizen with requests in two members and an appointment in one of them."""
    from rendezvous import services as rdv
    from rendezvous.models import (
        AppointmentType,
        Mode,
        OpeningRule,
        Place,
        PlaceHours,
        Service,
    )
    from sve import services as sve

    citizen = User.objects.create_user(email=f"usager@{EMAIL_DOMAIN}", password=None)
    agent = User.objects.create_user(email=f"agent@{EMAIL_DOMAIN}", password=None)
    identity = {
        "last_name": "Usager",
        "first_name": "Camille",
        "postal_address": "1 rue de la Mairie",
        "email": citizen.email,
    }
    for member in members[:2]:
        # CRPA R112-5: a form goes online only when its AR can name the service in full.
        member.contact_address = "1 place de la Mairie"
        member.contact_email = f"mairie@{EMAIL_DOMAIN}"
        member.contact_phone = "04 00 00 00 00"
        connection.set_schema_to_public()
        member.save(update_fields=["contact_address", "contact_email", "contact_phone"])
        connection.set_tenant(member)
        form = sve.form_template_enable(code="contact", acting_user=None)
        for n in range(3):
            sve.request_submit(
                form=form, acting_user=citizen, identity=identity, data={"objet": str(n)}
            )
    connection.set_tenant(members[0])
    day = timezone.localdate() + timedelta(days=7)
    service = Service.objects.create(name="État civil")
    place = Place.objects.create(name="Mairie", address="1 rue de la Mairie")
    PlaceHours.objects.bulk_create(
        PlaceHours(place=place, weekday=day, opens=dtime(8), closes=dtime(18)) for day in range(7)
    )
    kind = AppointmentType.objects.create(
        service=service, name="Dépôt de passeport", duration_minutes=30, modes=[Mode.IN_PERSON]
    )
    rule = OpeningRule.objects.create(
        agent_id=agent.pk,
        place=place,
        weekday=day.weekday(),
        start_time=dtime(9),
        end_time=dtime(12),
        valid_from=day - timedelta(days=1),
    )
    rule.types.add(kind)
    rdv.appointment_book(
        acting_user=SYSTEM_COMMAND,
        appointment_type=kind,
        place_id=place.pk,
        starts_at=datetime.combine(day, dtime(9), PARIS),
        mode=Mode.IN_PERSON,
        first_name="Camille",
        last_name="Usager",
        email=citizen.email,
        citizen_id=citizen.pk,
    )
    connection.set_schema_to_public()
    return citizen


def page_p95(host: str, citizen: User, path: str, marker: str) -> float:
    client = Client(HTTP_HOST=host)
    client.force_login(citizen)
    samples = []
    for i in range(HITS + WARMUP):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200 and marker in response.content.decode(), path
        if i >= WARMUP:
            samples.append(elapsed)
    return p95(samples)


def citizen_pages(host: str, citizen: User) -> tuple[float, float]:
    return (
        page_p95(host, citizen, "/demarches/mes-demandes/", "Scale"),
        page_p95(host, citizen, "/rendez-vous/mes-rendez-vous/", "Dépôt de passeport"),
    )


def onboard_median() -> float:
    if not CommuneReference.objects.filter(departement=ONBOARD_DEPARTEMENT).exists():
        commune_reference_import_files(paths=[SHIPPED_FILE])
    taken = set(Collectivite.objects.exclude(insee_code="").values_list("insee_code", flat=True))
    references = [
        ref
        for ref in CommuneReference.objects.filter(departement=ONBOARD_DEPARTEMENT).order_by(
            "insee_code"
        )
        if ref.insee_code not in taken
    ][:ONBOARD]
    durations = []
    for ref in references:
        started = time.perf_counter()
        commune_onboard(
            insee_code=ref.insee_code,
            slug=f"{PREFIX}onb-{ref.insee_code}",
            referent_email=f"referent-{ref.insee_code}@{EMAIL_DOMAIN}",
        )
        durations.append(time.perf_counter() - started)
    log("onboarding: " + ", ".join(f"{d:.2f}" for d in durations))
    return statistics.median(durations)


def migrate_noop() -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "migrate_schemas", "--noinput", "--verbosity", "1"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
    )
    return time.perf_counter() - started


def fanout_round(members: list[Collectivite]) -> float:
    worker = subprocess.Popen(
        [
            sys.executable,
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
            "ERROR",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, "CELERY_QUEUE": QUEUE, "DJANGO_DEBUG": "0"},
    )
    try:
        # The worker is up once it has run one task.
        send_to_tenant(run_tenant_job, members[0].schema_name, job="jobs.heartbeat").get(300)
        since = timezone.now()
        started = time.perf_counter()
        count = fan_out.apply_async(kwargs={"job": JOB}).get(timeout=300)
        schemas = list(Collectivite.objects.active().values_list("schema_name", flat=True))
        assert count == len(schemas), (count, len(schemas))
        pending, last, failed = set(schemas), since, 0
        quote = connection.ops.quote_name
        # Read the members' runs only once the worker has taken the last task: polling
        # 1,000 schemas every second would take a core from the worker measured.
        with celery_app.connection_for_write() as conn:
            while conn.default_channel.client.llen(QUEUE):
                assert time.perf_counter() - started < 900, "the worker stopped taking tasks"
                time.sleep(1)
        while pending:
            assert time.perf_counter() - started < 900, f"{len(pending)} members never ran"
            time.sleep(1)
            with connection.cursor() as cursor:
                for schema in list(pending):
                    cursor.execute(
                        f"SELECT finished_at, status FROM {quote(schema)}.jobs_jobrun"
                        " WHERE job = %s AND started_at >= %s AND status <> 'running'",
                        [JOB, since],
                    )
                    row = cursor.fetchone()
                    if row:
                        pending.discard(schema)
                        last = max(last, row[0])
                        failed += row[1] == "failed"
        log(f"fan-out over {count} members: {failed} failed")
        return (last - since).total_seconds()
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def catalog_figures() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class")
        figure("scale_catalog_relations", cursor.fetchone()[0], "relations")
        cursor.execute("SELECT pg_database_size(current_database())")
        figure("scale_database_size", cursor.fetchone()[0] / 1e6, "MB")
    import pgserver

    # The server's own pg_dump first (same major version), else the system's.
    bundled = os.path.join(os.path.dirname(pgserver.__file__), "pginstall", "bin", "pg_dump")
    pg_dump = bundled if os.path.exists(bundled) else shutil.which("pg_dump")
    if pg_dump is None:
        log("no pg_dump: backup time not measured")
        return
    started = time.perf_counter()
    subprocess.run(
        [pg_dump, "-Fc", "--no-sync", "-f", os.devnull, "-d", os.environ["DATABASE_URL"]],
        check=True,
    )
    figure("scale_pg_dump", time.perf_counter() - started, "s")


def main() -> None:
    connection.set_schema_to_public()
    cleanup(members=False)
    reused = Collectivite.objects.filter(slug__startswith=PREFIX).count()
    if reused:
        log(f"reusing {reused} members kept by an earlier run (--keep)")
    try:
        members = grow(3)
        at_start = Collectivite.objects.members().count()
        citizen = citizen_in(members)
        host = f"{members[0].slug}.localhost"
        small = citizen_pages(host, citizen)
        log(f"citizen pages at {at_start} members: {small[0]:.1f} ms, {small[1]:.1f} ms")
        members = grow(TARGET - ONBOARD)
        onboard = onboard_median()
        large = citizen_pages(host, citizen)
        log(f"citizen pages at {TARGET} members: {large[0]:.1f} ms, {large[1]:.1f} ms")
        figure("scale_members", Collectivite.objects.members().count(), "schemas")
        figure("scale_onboard_median", onboard, "s")
        figure("scale_citizen_dashboard_ratio", large[0] / small[0], "x")
        figure("scale_citizen_appointments_ratio", large[1] / small[1], "x")
        figure("scale_migrate_noop", migrate_noop(), "s")
        figure("scale_fanout_round", fanout_round(members), "s")
        catalog_figures()
    finally:
        cleanup(members=not KEEP)


if __name__ == "__main__":
    main()
