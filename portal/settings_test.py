"""Settings for the test suite: the same as production's shape, plus what tests need, set
before the settings module reads the environment."""

import os

os.environ.setdefault("PORTAL_TESTING", "1")
# Each run gets its own Celery queue, so no other worker on the same Redis takes its tasks.
os.environ.setdefault("CELERY_QUEUE", f"tests-{os.getpid()}")

from portal.settings import *  # noqa: E402,F403
