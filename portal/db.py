"""Database helpers shared by every app."""

import functools
import logging
import random
import time

from django.db import OperationalError, transaction
from psycopg import errors as pg_errors

logger = logging.getLogger(__name__)

# PostgreSQL aborts one side of a lock cycle (40P01) or of a serialisation conflict (40001):
# the transaction was rolled back whole, so running it again is safe.
RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)
ATTEMPTS = 4


def is_retryable(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and isinstance(error.__cause__, RETRYABLE)


def retry_on_deadlock(func):
    """Run ``func`` (which opens its own transaction) again, up to ``ATTEMPTS`` times with a
    short random pause, when PostgreSQL aborts it as a deadlock or serialisation victim.

    Inside an outer transaction nothing can be retried (the outer one is aborted too): the
    error goes up to the outermost decorated call, which retries the whole of it."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if transaction.get_connection().in_atomic_block:
            return func(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except OperationalError as error:
                if not is_retryable(error) or attempt == ATTEMPTS:
                    raise
                logger.warning("%s: %s, attempt %d, retrying", func.__qualname__, error, attempt)
                time.sleep(random.uniform(0.02, 0.1) * attempt)
        raise AssertionError("unreachable")

    return wrapper
