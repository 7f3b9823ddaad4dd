"""Writers to one SQLite file take turns across processes, in the kernel's queue.

The library's pool already lets one thread of a process write at a time. Between
processes (several server workers, the views process, a command run beside them) the
only arbiter was SQLite's busy handler, which sleeps and tries again after 1, 2, 5,
10, 15, 20, 25 ... ms: a writer that lost the race to another process's commit slept
past it, and the next one, so two workers on one store answered half their case reads
in 9 ms and their slowest in 61 ms (docs/benchmarks.md, 2026-12-04; ADR 0065). Here a
pool's writer also holds an flock on a file beside the database for as long as it
holds the writer connection; a waiting writer sleeps in the kernel and is woken the
moment the other process's transaction ends.

The lock only orders this code's writers: SQLite's own locking still guards the file
against any other (a `sqlite3` shell, a backup), and its busy timeout still bounds a
wait on those. An flock ends with its process, so a killed writer never leaves it
held; a writer that is stopped (SIGSTOP, a hung disk) inside its transaction holds
the others back until it goes on, as it holds SQLite's own write lock meanwhile."""

import fcntl
import os
from pathlib import Path
from typing import Any

from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool


def writer_lock_path(db_name: str) -> Path | None:
    """The lock file beside a database file (`casework.db.writer.lock`); None for an
    in-memory database, which one process alone can open, and for one opened read-only
    (a standby, a verifier), which never writes."""
    if SQLiteConnectionPool.detect_memory_mode(db_name) or "mode=ro" in db_name:
        return None
    path = db_name.removeprefix("file:").split("?", 1)[0]
    return Path(path).with_name(f"{Path(path).name}.writer.lock")


class WritersTakeTurns(SQLiteConnectionPool):
    """The library's pool, whose writer connection comes with this process's turn."""

    def __init__(self, **kwargs: Any) -> None:
        self._turns: int | None = None
        super().__init__(**kwargs)
        path = writer_lock_path(self.db_name)
        # One open file per pool: flocks of two descriptions exclude each other, even in
        # one process, so two pools on one file take turns too.
        if path is not None:
            try:
                self._turns = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                # A directory nothing can be written to (a read-only copy being
                # verified): SQLite can write nothing there either, and says so itself.
                self._turns = None

    def get_connection(
        self, timeout: float | None = None, *, is_writer: bool | None = None
    ) -> SQLiteConnection:
        connection = super().get_connection(timeout, is_writer=is_writer)
        if is_writer and self._turns is not None:
            try:
                fcntl.flock(self._turns, fcntl.LOCK_EX)
            except BaseException:
                super().put_connection(connection)
                raise
        return connection

    def put_connection(self, conn: SQLiteConnection) -> None:
        if conn.is_writer and self._turns is not None:
            fcntl.flock(self._turns, fcntl.LOCK_UN)
        super().put_connection(conn)

    def close(self) -> None:
        super().close()
        if self._turns is not None:
            os.close(self._turns)
            self._turns = None
