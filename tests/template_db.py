"""One migrated database per test run, copied for each xdist worker.

Migrating the schema (the public one, then the tenants' template) takes 15 s of CPU. Each
xdist worker did it for its own database, three times at once on two cores. Now the
controller names a template database when the run starts and begins migrating it at once,
in a separate process, while the workers start and run the tests that need no database
(tests/conftest.py orders them first); a worker that needs it before it is done waits on a
file lock. Each worker's database is then a copy (``CREATE DATABASE ... TEMPLATE``,
Django's ``TEST["TEMPLATE"]``).
Django still runs ``migrate`` on the copy, where it finds nothing left to apply (about 1 s).

It is used only when several workers create their databases. It is not used with
``--reuse-db`` (``make test-fast``), whose databases are already migrated. The controller
drops the template when the run ends, and drops any template whose run's process is gone
(a run that was killed) when the next one starts, on the embedded server under var/ only."""

import fcntl
import os
import re
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ENV = "PORTAL_TEST_TEMPLATE_DB"
NAME = re.compile(r"^test_template_(\d+)$")


def _maintenance() -> psycopg.Connection:
    """A connection to the server's "postgres" database: databases are made and dropped
    from outside them."""
    return psycopg.connect(_url("postgres"), autocommit=True)


def _exists(conn: psycopg.Connection, name: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
    )


def _drop(conn: psycopg.Connection, name: str) -> None:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The controller's migration of the template, while it runs.
_migration: subprocess.Popen | None = None


def run_starts() -> None:
    """In the controller, before the workers start: name this run's template (its process id),
    drop the templates of runs that are gone, and begin migrating this one."""
    name = os.environ[ENV] = f"test_template_{os.getpid()}"
    if str(ROOT / "var") in os.environ["DATABASE_URL"]:
        # Not on a server others may share: their runs' process ids are not ours to check.
        with closing(_maintenance()) as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'test_template_%'"
            )
            for (old,) in rows.fetchall():
                match = NAME.match(old)
                if match and not _alive(int(match.group(1))):
                    _drop(conn, old)
    _migration_start(name)


def _migration_start(name: str) -> None:
    """Migrate the template in a process of its own, holding its lock until that ends. If it
    fails, the database is dropped: the first worker then migrates it itself and reports
    the error (``template_ready``)."""
    global _migration
    lock_path = _lock_path(name)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = open(lock_path, "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    with closing(_maintenance()) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    _migration = _migrate_process(name)

    def finish(process: subprocess.Popen) -> None:
        try:
            process.communicate()
            if process.returncode != 0:
                with closing(_maintenance()) as conn:
                    _drop(conn, name)
        finally:
            lock.close()  # releases the lock

    threading.Thread(target=finish, args=(_migration,), daemon=True).start()


def run_ends() -> None:
    name = os.environ.pop(ENV, "")
    if name:
        if _migration is not None and _migration.poll() is None:
            _migration.kill()  # the run ended before it did (interrupted)
        with closing(_maintenance()) as conn:
            _drop(conn, name)
        _lock_path(name).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def template_ready() -> str:
    """In a worker: the name of this run's migrated template ("" if the run has none),
    migrating it first if no other worker has."""
    name = os.environ.get(ENV, "")
    if not name:
        return ""
    lock_path = _lock_path(name)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with closing(_maintenance()) as conn:
            if _exists(conn, name):
                return name
            conn.execute(f'CREATE DATABASE "{name}"')
            try:
                _migrate(name)
            except BaseException:
                _drop(conn, name)
                raise
    return name


def _lock_path(name: str) -> Path:
    return ROOT / "var" / f"{name}.lock"


def _migrate_process(name: str) -> subprocess.Popen:
    # In its own process: the caller's own connection and settings stay on its database.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "DATABASE_URL": _url(name),
    }
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _migrate(name: str) -> None:
    process = _migrate_process(name)
    output, _ = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"migrating the test template database {name} failed:\n{output}")


def _url(name: str) -> str:
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + name))
