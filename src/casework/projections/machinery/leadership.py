"""Who runs which view, and waking up when events arrive.

On PostgreSQL each view generation has a session-level advisory lock: the runner
holding it is the only one that writes the view. The lock lives on a dedicated
connection, so when a runner process dies its locks go with its connection and a
waiting runner takes over at its next attempt (every second). The same connection
LISTENs on the channel the event store NOTIFYs on every insert.

On SQLite, which several server workers may share (ADR 0065), each key has an flock
on a file beside the database (`FileLocks`): it ends with its process as an advisory
lock ends with its connection. SQLite has no notifications: new events are found by
polling. Exactly-once writing does not rest on leadership (each batch checks its
starting position), only the avoidance of wasted work does.
"""

import fcntl
import os
import time
from pathlib import Path
from typing import Protocol

import psycopg
from psycopg.sql import SQL, Identifier

from casework.store.database import Database


class Leadership(Protocol):
    def try_lead(self, key: str) -> bool: ...
    def still_connected(self) -> bool: ...
    def wait_for_events(self, timeout: float) -> bool: ...
    def close(self) -> None: ...


class AdvisoryLocks:
    def __init__(self, database: Database, channel: str) -> None:
        self.scope = f"casework:projection:{database.dbname}:{database.schema or 'public'}:"
        self.connection = psycopg.connect(
            host=database.host,
            port=database.port,
            user=database.user,
            password=database.password or None,
            dbname=database.dbname,
            autocommit=True,
            connect_timeout=10,
        )
        self.connection.execute(SQL("LISTEN {}").format(Identifier(channel)))
        self.held: set[str] = set()

    def try_lead(self, key: str) -> bool:
        if key in self.held:
            return True
        row = self.connection.execute(
            "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (self.scope + key,)
        ).fetchone()
        if row is not None and row[0]:
            self.held.add(key)
            return True
        return False

    def still_connected(self) -> bool:
        try:
            self.connection.execute("SELECT 1")
        except psycopg.Error:
            self.held.clear()
            return False
        return True

    def wait_for_events(self, timeout: float) -> bool:
        """Wait for a notification; True if one came. A burst (every read records an
        access) is taken whole, so it wakes the runner once rather than once each."""
        arrived = False
        for _ in self.connection.notifies(timeout=timeout, stop_after=1):
            arrived = True
        if arrived:
            for _ in self.connection.notifies(timeout=0):
                pass
        return arrived

    def close(self) -> None:
        self.held.clear()
        self.connection.close()


class SingleProcess:
    """An in-memory SQLite database, which only this process can open: it leads every
    view; new events are found by polling.

    Every page records its reads, so the next page waits for the views to pass those
    records: at a 0.2 s poll that wait was most of a case page's time (median 98 ms
    against 30 ms of work); a poll is one cheap query, 50 a second when idle."""

    def __init__(self, poll_interval: float = 0.02) -> None:
        self.poll_interval = poll_interval

    def try_lead(self, key: str) -> bool:
        return True

    def still_connected(self) -> bool:
        return True

    def wait_for_events(self, timeout: float) -> bool:
        """Without notifications, any poll may have found events."""
        time.sleep(min(timeout, self.poll_interval))
        return True

    def close(self) -> None:
        """Nothing to close."""


class FileLocks(SingleProcess):
    """An SQLite file: a key is led by whoever holds the flock on its file beside the
    database (`casework.db.lead-KEY.lock`) until it closes. Two leaderships exclude
    each other even in one process (an flock belongs to its open file), as two
    connections' advisory locks do; new events are found by polling."""

    def __init__(self, database_file: Path) -> None:
        super().__init__()
        self.database_file = database_file
        self.held: dict[str, int] = {}

    def try_lead(self, key: str) -> bool:
        if key in self.held:
            return True
        path = self.database_file.with_name(f"{self.database_file.name}.lead-{key}.lock")
        lock = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            return False
        self.held[key] = lock
        return True

    def close(self) -> None:
        for lock in self.held.values():
            os.close(lock)
        self.held.clear()


def leadership_for(database: Database, channel: str) -> Leadership:
    """Advisory locks on PostgreSQL, flocks beside an SQLite file (an in-memory
    database has one process)."""
    if database.backend == "postgres":
        return AdvisoryLocks(database, channel)
    if database.sqlite_path is None:
        return SingleProcess()
    return FileLocks(database.sqlite_path)
