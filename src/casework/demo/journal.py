"""Which steps of the demo are built: a small table beside the events (one row per
finished step: the centre, each case, the hand-over, the referrals, each supervisor's
sessions, the reviews, and `complete` last), so an interrupted `casework demo` resumes
where it stopped and a half-built centre is never reported as complete."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from casework.application import Casework

TABLE = "casework_demo_steps"
COMPLETE = "complete"


class DemoJournal:
    def __init__(self, app: Casework) -> None:
        self.app = app
        self.dialect = app.database.dialect
        self.datastore: Any = app.factory.datastore  # type: ignore[attr-defined]

    @contextmanager
    def _cursor(self, *, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def _sql(self, statement: str) -> str:
        return self.dialect.sql(statement, table=TABLE)

    def exists(self) -> bool:
        """Whether this store has a journal (stores built before it have none)."""
        if self.dialect.postgres:
            query, params = "SELECT to_regclass(%s) AS t", [self.dialect.table(TABLE)]
            if not self.dialect.schema:
                params = [TABLE]
        else:
            query, params = "SELECT name AS t FROM sqlite_master WHERE name = ?", [TABLE]
        with self._cursor(commit=False) as c:
            c.execute(query, params)
            row = c.fetchone()
        return row is not None and row["t"] is not None

    def create(self) -> None:
        with self._cursor(commit=True) as c:
            c.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {table} "
                    "(step TEXT PRIMARY KEY, done_at TEXT NOT NULL)"
                )
            )

    def done(self) -> set[str]:
        if not self.exists():
            return set()
        with self._cursor(commit=False) as c:
            c.execute(self._sql("SELECT step FROM {table}"))
            return {r["step"] for r in c.fetchall()}

    def finish(self, step: str) -> None:
        with self._cursor(commit=True) as c:
            c.execute(
                self._sql("INSERT INTO {table} (step, done_at) VALUES (?, ?)"),
                [step, datetime.now(UTC).isoformat()],
            )
