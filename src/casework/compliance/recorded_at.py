"""The as-of index: for each stored event, when casework recorded it.

`recorded_at` lives inside the sealed state, so finding "the version of a record at time
T" would otherwise mean decrypting its stream from the start. This table keeps, in
clear, only (record id, version, notification id, recorded_at): metadata of the kind
the events table already shows (ids, versions, log order), never `occurred_at` or any
content. It is derived (rebuilt by reading the log), so it is not append-only: erasing a
case clears its times here.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from casework.store.errors import RecordErased, TamperedRecord
from casework.store.sql import Dialect

TABLE = "casework_recorded_at"
_BATCH = 2000


class _Stamp(msgspec.Struct):
    timestamp: datetime


_decode_stamp = msgspec.json.Decoder(_Stamp).decode


def sortable(at: datetime) -> str:
    """Fixed-width UTC text: compares as the instants do, on either backend."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


class RecordedAtIndex:
    def __init__(self, datastore: Any, recorder: Any, mapper: Any, dialect: Dialect) -> None:
        self.datastore = datastore
        self.recorder = recorder
        self.mapper = mapper
        self.dialect = dialect
        self._events = dialect.table(recorder.events_table_name)
        self._event_position = "notification_id" if dialect.postgres else "rowid"

    def _sql(self, statement: str) -> str:
        return self.dialect.sql(statement, table=TABLE)

    def create(self) -> None:
        big = self.dialect.bigint
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    f"CREATE TABLE IF NOT EXISTS {{table}} (originator_id TEXT NOT NULL, "
                    f"originator_version {big} NOT NULL, notification_id {big} NOT NULL, "
                    "recorded_at TEXT, PRIMARY KEY (originator_id, originator_version))"
                )
            )
            # "How far is the index?" (MAX(notification_id)) is asked before every
            # replay and every catch-up: without this it reads the whole table, so a
            # replay's cost grew with the store. Created only when missing.
            c.execute(
                self._sql(
                    "CREATE INDEX IF NOT EXISTS casework_recorded_at_position "
                    "ON {table} (notification_id)"
                )
            )

    def catch_up(self) -> int:
        """Index every event stored since the last call; returns how many were added.
        Events that cannot be opened (erased, tampered) are indexed without a time."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._sql("SELECT MAX(notification_id) AS last FROM {table}"))
            after = c.fetchone()["last"] or 0
        added = 0
        while True:
            batch = self.recorder.select_notifications(
                start=after, limit=_BATCH, inclusive_of_start=False
            )
            if not batch:
                return added
            rows = [
                (str(n.originator_id), n.originator_version, n.id, self._recorded_at(n))
                for n in batch
            ]
            with self.datastore.transaction(commit=True) as c:
                c.executemany(
                    self._sql(
                        "INSERT INTO {table} (originator_id, originator_version, notification_id, "
                        "recorded_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
                    ),
                    rows,
                )
            added += len(rows)
            after = batch[-1].id

    def _recorded_at(self, notification: Any) -> str | None:
        try:
            return sortable(_decode_stamp(self.mapper.unseal(notification)).timestamp)
        except (RecordErased, TamperedRecord):
            return None

    def version_at(self, record_id: UUID, at: datetime) -> int | None:
        """The record's last version recorded at or before `at`; None if it had none.
        Events stored since the index was last brought up to date are indexed first, so
        the answer is never stale; the usual case (nothing new) costs one query."""
        with self.datastore.transaction(commit=False) as c:
            statement = (
                "SELECT (SELECT MAX(notification_id) FROM {table}) AS indexed, "  # noqa: S608 - our own table names
                f"(SELECT MAX({self._event_position}) FROM {self._events}) AS stored, "
                "(SELECT MAX(originator_version) FROM {table} "
                "WHERE originator_id = ? AND recorded_at <= ?) AS version"
            )
            c.execute(
                self._sql(statement),
                (str(record_id), sortable(at)),
            )
            found = c.fetchone()
        if (found["stored"] or 0) > (found["indexed"] or 0) and self.catch_up():
            return self.version_at(record_id, at)
        return found["version"]

    def forget(self, record_ids: Iterable[UUID]) -> None:
        """Erasure: drop the recorded times of these records' events."""
        with self.datastore.transaction(commit=True) as c:
            c.executemany(
                self._sql("UPDATE {table} SET recorded_at = NULL WHERE originator_id = ?"),
                [(str(r),) for r in record_ids],
            )
