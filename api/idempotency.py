"""`Idempotency-Key` on POST: a retried request gets the first answer, and nothing is
recorded twice.

One row per (staff member, key) in `casework_idempotency`, in the store's database,
so every worker process sees it: the hash of the request (method, path and body),
and once the command succeeded its answer (status, body, ETag). The key is reserved
before the command runs, so a second request with the same key while the first is
running is refused (409) instead of racing it. Only successful answers are kept: a
refused request releases its key and may be sent again with it. A reservation still
without an answer after `ABANDONED_AFTER` was left by a request that died with the
database (its release could not be written either): the same request sent again takes
it over and runs again, and the command's own If-Match then answers 412 for a write
that had been applied. Keys are kept for a day. Answers are stored in clear, which is
why commands answer with ids, versions and positions only, never case content.
"""

import hashlib
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from casework.store.sessions import Columns

TABLE = "casework_idempotency"
KEPT_FOR = timedelta(hours=24)
# In progress: reserved, the command has not answered yet.
PENDING = 0
# No command runs this long (the store gives up on a lost database after 3 s).
ABANDONED_AFTER = timedelta(seconds=30)


def request_hash(method: str, path: str, body: bytes) -> bytes:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).digest()


class Answer(NamedTuple):
    request_hash: bytes
    status: int  # PENDING while the first request runs
    body: bytes
    etag: str
    location: str


class IdempotencyTable(Columns):
    def _sql(self, statement: str) -> str:
        return self.dialect.sql(statement, table=TABLE)

    def create(self) -> None:
        d = self.dialect
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    f"CREATE TABLE IF NOT EXISTS {{table}} (staff_id {d.uuid} NOT NULL, "
                    f"idempotency_key TEXT NOT NULL, request_hash {d.blob} NOT NULL, "
                    f"status INTEGER NOT NULL, body {d.blob}, etag TEXT NOT NULL DEFAULT '', "
                    f"location TEXT NOT NULL DEFAULT '', created_at {self.when} NOT NULL, "
                    "PRIMARY KEY (staff_id, idempotency_key))"
                )
            )
            c.execute(
                self._sql(f"CREATE INDEX IF NOT EXISTS {TABLE}_created ON {{table}} (created_at)")
            )

    def reserve(self, staff_id: UUID, key: str, hashed: bytes, at: datetime) -> Answer | None:
        """Reserve the key for this request; None if it was free (or abandoned by the
        same request), else what it holds."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql("DELETE FROM {table} WHERE created_at < ?"), (self.at(at - KEPT_FOR),)
            )
            c.execute(
                self._sql(
                    "INSERT INTO {table} (staff_id, idempotency_key, request_hash, status, "
                    "created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING "
                    "RETURNING status"
                ),
                (self.id(staff_id), key, hashed, PENDING, self.at(at)),
            )
            if c.fetchall():
                return None
            c.execute(
                self._sql(
                    "UPDATE {table} SET created_at = ? WHERE staff_id = ? AND "
                    "idempotency_key = ? AND request_hash = ? AND status = ? AND "
                    "created_at < ? RETURNING status"
                ),
                (
                    self.at(at),
                    self.id(staff_id),
                    key,
                    hashed,
                    PENDING,
                    self.at(at - ABANDONED_AFTER),
                ),
            )
            if c.fetchall():
                return None  # abandoned by a request that died: this one runs again
            c.execute(
                self._sql(
                    "SELECT request_hash, status, body, etag, location FROM {table} "
                    "WHERE staff_id = ? AND idempotency_key = ?"
                ),
                (self.id(staff_id), key),
            )
            row: Any = c.fetchone()
        return Answer(
            bytes(row["request_hash"]),
            int(row["status"]),
            bytes(row["body"] or b""),
            row["etag"],
            row["location"],
        )

    def answer(
        self, staff_id: UUID, key: str, status: int, body: bytes, etag: str, location: str
    ) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    "UPDATE {table} SET status = ?, body = ?, etag = ?, location = ? "
                    "WHERE staff_id = ? AND idempotency_key = ?"
                ),
                (status, body, etag, location, self.id(staff_id), key),
            )

    def release(self, staff_id: UUID, key: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql("DELETE FROM {table} WHERE staff_id = ? AND idempotency_key = ?"),
                (self.id(staff_id), key),
            )
