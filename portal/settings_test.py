"""Settings for the test suite: the same as production's shape, plus what tests need, set
before the settings module reads the environment.

Under pytest-xdist each worker (``PYTEST_XDIST_WORKER``: gw0, gw1...) is a test run of its
own: pytest-django gives it its own database (test_portal_gw0...), and here it gets its own
Celery queue, Redis cache database and media folder, so that one worker's cache clearing,
queued tasks and files never touch another's. The processes a test starts (a Celery worker,
a live server) inherit them through the environment."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_INDEX = int(WORKER.removeprefix("gw")) if WORKER else 0

os.environ.setdefault("PORTAL_TESTING", "1")
# Celery's Django fix-up runs every system check as each worker starts: the workers the
# suite starts (dozens) spent an eighth of its CPU there. The checks run in
# tests/portal/test_settings.py (``manage.py check``, and ``--deploy`` for production).
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")
# Chosen once per test process, inherited by the processes it starts; an xdist worker
# inherits its controller's environment, so it chooses again.
if os.environ.get("PORTAL_TEST_PROCESS") != WORKER:
    os.environ["PORTAL_TEST_PROCESS"] = WORKER
    # Each run gets its own Celery queue, so no other worker on the same Redis takes its tasks.
    os.environ["CELERY_QUEUE"] = f"tests-{WORKER or 'main'}-{os.getpid()}"
    os.environ["MEDIA_ROOT"] = str(
        Path(__file__).resolve().parent.parent / "var" / "test-media" / (WORKER or "main")
    )

from portal.settings import *  # noqa: E402,F403
from portal.settings import CACHES, REDIS_URL, _redis_cache_location  # noqa: E402

# The cache (rate limits, lockouts, per-commune values; cleared before each test) in a Redis
# database of its own per worker, after the broker's: db 1 for gw0 or a run without xdist,
# 2 for gw1... (the embedded Redis has 64 databases, a stock one 16).
_broker = urlsplit(REDIS_URL)
if _broker.scheme == "redis+socket":
    CACHES["default"]["LOCATION"] = _redis_cache_location(REDIS_URL) + f"?db={1 + WORKER_INDEX}"
else:
    _broker_db = int(_broker.path.strip("/") or 0)
    CACHES["default"]["LOCATION"] = urlunsplit(
        _broker._replace(path=f"/{_broker_db + 1 + WORKER_INDEX}")
    )
