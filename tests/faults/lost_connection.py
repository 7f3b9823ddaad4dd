"""A PostgreSQL connection that dies at the worst moment, made on purpose: just after
the server committed a write and before its answer reached casework (what a database
restart or a network cut does to a write in flight, ~1 run in 4 of the outage test).
The failure is put in the store's connection pool, so the library and casework meet a
real `psycopg.OperationalError` from a closed connection, and nothing else is faked."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from casework.application import Casework


class CommitThenLost:
    """The next events write commits, then its connection is closed and the write is
    told `server closed the connection unexpectedly`. With `stay_down`, every
    connection asked for afterwards is refused until `back()` (the database stays
    away)."""

    def __init__(self, app: Casework, stay_down: bool = False) -> None:
        self.recorder: Any = app.recorder
        self.pool = self.recorder.datastore.pool
        self.stay_down = stay_down
        self.armed = True
        self.down = False
        self.lost = 0  # writes whose connection was closed after their commit
        self.refused = 0  # connections refused while down
        self._writing: object | None = None
        self._original_pool_connection = self.pool.connection
        self._original_insert = self.recorder._insert_events

    def _insert_events(self, cursor: Any, stored_events: Any, **kwargs: Any) -> Any:
        self._writing = cursor.connection
        return self._original_insert(cursor, stored_events, **kwargs)

    @contextmanager
    def _connection(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        if self.down:
            self.refused += 1
            raise psycopg.OperationalError("connection refused: is the server running?")
        with self._original_pool_connection(*args, **kwargs) as conn:
            yield conn
            if self.armed and self._writing is conn:
                # The body returned: the write's transaction is committed on the server.
                self.armed = False
                self.lost += 1
                self.down = self.stay_down
                conn.close()
                raise psycopg.OperationalError(
                    "consuming input failed: server closed the connection unexpectedly"
                )

    def back(self) -> None:
        self.down = False

    @contextmanager
    def installed(self) -> Iterator["CommitThenLost"]:
        self.pool.connection = self._connection
        self.recorder._insert_events = self._insert_events
        try:
            yield self
        finally:
            self.pool.connection = self._original_pool_connection
            del self.recorder._insert_events
