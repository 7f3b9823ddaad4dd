"""How long a request keeps trying PostgreSQL when its connection fails.

The eventsourcing library retries every read and write of events 10 times on a lost
or refused connection (`@retry(..., max_attempts=10)`), and each attempt may wait the
pool's whole timeout for a connection: during an outage a request hung for minutes
before its 503. Here the pool waits `CONNECT_TIMEOUT` seconds for a connection
(`POSTGRES_CONNECT_TIMEOUT`, set by `Database.eventsourcing_env`), and the same
methods are retried only while `RETRY_FOR` seconds have not passed since the call
began: a pooled connection that a restart broke fails at once and is retried on a
fresh one, while a database that is down is told to the client in about
`CONNECT_TIMEOUT + RETRY_FOR` seconds.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder

CONNECT_TIMEOUT = 2  # seconds a request waits for a pooled connection
RETRY_FOR = 3.0  # seconds from the first attempt during which another one starts
_WAIT = 0.2  # seconds between attempts (the library's)


def retried_briefly(method: Any) -> Any:
    """The method retried for `RETRY_FOR` seconds; a library method without its own
    retry first (`__wrapped__`, kept by its decorator's `functools.wraps`)."""
    once: Callable[..., Any] = getattr(method, "__wrapped__", method)

    @wraps(once)
    def retried(*args: Any, **kwargs: Any) -> Any:
        began = time.monotonic()
        while True:
            try:
                return once(*args, **kwargs)
            except (InterfaceError, OperationalError):
                if time.monotonic() - began >= RETRY_FOR:
                    raise
                time.sleep(_WAIT)

    return retried


class BrieflyRetriedAggregateRecorder(PostgresAggregateRecorder):
    insert_events = retried_briefly(PostgresAggregateRecorder.insert_events)
    select_events = retried_briefly(PostgresAggregateRecorder.select_events)


class BrieflyRetriedApplicationRecorder(PostgresApplicationRecorder):
    insert_events = retried_briefly(PostgresApplicationRecorder.insert_events)
    select_events = retried_briefly(PostgresAggregateRecorder.select_events)
    select_notifications = retried_briefly(PostgresApplicationRecorder.select_notifications)
    max_notification_id = retried_briefly(PostgresApplicationRecorder.max_notification_id)
