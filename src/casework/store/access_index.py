"""The access log's look-up table: which access record names which case and which
person, when, with what outcome. Written in the same transaction as the access
record's event, so a record is never findable without its event, nor stored
unfindable. Everything else about an access (purpose, reason, record ids, session,
access point) stays sealed in the event.

What stands in clear here, beside the events' own clear metadata: case id, staff id,
the instant and allowed/refused. That links people to cases they tried to read; it
reveals no case content, and it survives the case's erasure on purpose.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, StoredEvent

from casework.store.connection_retries import RETRY_FOR
from casework.store.sql import Dialect

TABLE = "access_log"
# PostgreSQL: access records' events and look-up rows written by one statement.
RECORD_FUNCTION = "casework_record_access"
RETRY_WAIT = 0.2  # seconds between attempts on a lost connection (the library's)


@dataclass(frozen=True)
class AccessQuery:
    """Filters for the access log (all optional; `until` is exclusive)."""

    case_id: UUID | None = None
    staff_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    outcome: str | None = None
    limit: int = 1000


@dataclass(frozen=True)
class AccessRow:
    """One access record's look-up row, its values as the table stores them. Called
    with the insert transaction's cursor, it writes itself (a write saved with the
    record's event)."""

    statement: str
    params: tuple[Any, ...]

    def __call__(self, cursor: Any) -> None:
        cursor.execute(self.statement, self.params)


class AccessIndex:
    def __init__(
        self,
        datastore: Any,
        dialect: Dialect,
        events_table: str = "",
        channel: str = "",
        lock_timeout: int = 0,
    ) -> None:
        self.datastore = datastore
        self.dialect = dialect
        # Where the one-statement write puts the events (PostgreSQL): the library's
        # events table, the channel its inserts notify and its lock timeout (seconds).
        self.events_table = events_table
        self.channel = channel
        self.lock_timeout = lock_timeout
        self._insert_row = self._sql(
            "INSERT INTO {table} (record_id, case_id, staff_id, at, outcome) VALUES (?, ?, ?, ?, ?)"
        )
        self._insert_event = dialect.sql(
            "INSERT INTO {events} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            events=events_table,
        )
        self._record_many = dialect.sql(
            "SELECT * FROM {function}(?, ?, ?, ?, ?, ?, ?, ?, ?)", function=RECORD_FUNCTION
        )
        # One record: one-element arrays the server builds from scalar parameters. The
        # driver adapts Python lists in Python, two thirds of a record's client CPU.
        self._record_one = dialect.sql(
            "SELECT * FROM {function}(ARRAY[?::uuid], ARRAY[?::bigint], ARRAY[?::text], "
            "ARRAY[?::bytea], ARRAY[?::uuid], ARRAY[?::uuid], ARRAY[?::uuid], "
            "ARRAY[?::timestamptz], ARRAY[?::text])",
            function=RECORD_FUNCTION,
        )

    def _sql(self, statement: str) -> str:
        return self.dialect.sql(statement, table=TABLE)

    def _at(self, value: datetime) -> Any:
        value = value.astimezone(UTC)
        return value if self.dialect.postgres else value.isoformat()

    def _id(self, value: UUID | None) -> Any:
        return None if value is None else self.dialect.uuid_param(value)

    def create(self) -> None:
        d = self.dialect
        when = "timestamptz" if d.postgres else "TEXT"
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    f"CREATE TABLE IF NOT EXISTS {{table}} (record_id {d.uuid} PRIMARY KEY, "
                    f"case_id {d.uuid}, staff_id {d.uuid}, at {when} NOT NULL, "
                    "outcome TEXT NOT NULL)"
                )
            )
            for column in ("case_id", "staff_id"):
                c.execute(
                    self._sql(
                        f"CREATE INDEX IF NOT EXISTS {TABLE}_{column} ON {{table}} ({column}, at)"
                    )
                )
            if d.postgres and self.events_table:
                # Created when missing, not replaced at every start: workers starting
                # together would otherwise race on replacing it. A changed body gets a
                # new name.
                c.execute("SELECT to_regproc(%s) AS found", (self.dialect.table(RECORD_FUNCTION),))
                if c.fetchone()["found"] is None:
                    c.execute(self._record_function())

    def _record_function(self) -> str:
        """What the library's insert does for events (lock the table so notification
        ids commit in order, notify its channel, insert returning the ids), with the
        look-up rows, as one function: one round trip, committed (durably: the
        server's synchronous_commit) when the statement returns."""
        events = self.dialect.table(self.events_table)
        return self.dialect.sql(
            f"CREATE OR REPLACE FUNCTION {{function}}("  # noqa: S608 - fixed names only
            "event_ids uuid[], versions bigint[], "
            "topics text[], states bytea[], record_ids uuid[], case_ids uuid[], "
            "staff_ids uuid[], ats timestamptz[], outcomes text[]) RETURNS SETOF bigint "
            "LANGUAGE plpgsql AS $body$ BEGIN "
            f"PERFORM set_config('lock_timeout', '{int(self.lock_timeout)}s', true); "
            f"LOCK TABLE {events} IN EXCLUSIVE MODE; "
            f"PERFORM pg_notify('{self.channel}', ''); "
            "INSERT INTO {table} (record_id, case_id, staff_id, at, outcome) "
            "SELECT * FROM unnest(record_ids, case_ids, staff_ids, ats, outcomes); "
            f"RETURN QUERY INSERT INTO {events} (originator_id, originator_version, topic, "
            "state) SELECT * FROM unnest(event_ids, versions, topics, states) "
            "RETURNING notification_id; END $body$",
            table=TABLE,
            function=RECORD_FUNCTION,
        )

    def record(self, events: Sequence[StoredEvent], rows: Sequence[AccessRow]) -> list[int]:
        """Store access records' events (sealed, under keys already stored) with their
        look-up rows in one transaction, committed durably; their notification ids, in
        order. What the library's insert does for these events, without its pipeline
        around them (ADR 0052).

        PostgreSQL: one statement (the function `casework_record_access`). A lost
        connection is tried again for `RETRY_FOR` seconds, as the store's other writes
        are (`connection_retries`); when an attempt had committed as its connection
        died, the next one meets its own events, and finding them stored byte for byte
        (each seal has a fresh nonce) means the records are written."""
        if not self.dialect.postgres:
            return self._record_in_sqlite(events, rows)
        began, attempts = time.monotonic(), 0
        while True:
            attempts += 1
            try:
                return self._record_once(events, rows)
            except IntegrityError:
                found = self._ids_if_stored(events) if attempts > 1 else None
                if found is None:
                    raise
                return found
            except (InterfaceError, OperationalError):
                if time.monotonic() - began >= RETRY_FOR:
                    raise
                time.sleep(RETRY_WAIT)

    def _record_in_sqlite(
        self, events: Sequence[StoredEvent], rows: Sequence[AccessRow]
    ) -> list[int]:
        """The rows and events in one write transaction; an event's notification id is
        the rowid its insert was given (as the library's insert reads it)."""
        with self.datastore.transaction(commit=True) as c:
            c.executemany(self._insert_row, [row.params for row in rows])
            ids = []
            for e in events:
                c.execute(
                    self._insert_event,
                    (e.originator_id.hex, e.originator_version, e.topic, e.state),
                )
                ids.append(c.lastrowid)
            return ids

    def _ids_if_stored(self, events: Sequence[StoredEvent]) -> list[int] | None:
        statement = self.dialect.sql(
            "SELECT notification_id, state FROM {events} WHERE originator_id = ANY(?)",
            events=self.events_table,
        )
        with self.datastore.get_connection() as conn:
            rows = conn.execute(statement, ([e.originator_id for e in events],)).fetchall()
        stored = {bytes(r["state"]): int(r["notification_id"]) for r in rows}
        ids = [stored.get(e.state) for e in events]
        return None if None in ids else ids  # type: ignore[return-value]

    def _record_once(self, events: Sequence[StoredEvent], rows: Sequence[AccessRow]) -> list[int]:
        if len(events) == 1 and len(rows) == 1:  # one reader's record: the usual commit
            (e,), (row,) = events, rows
            statement = self._record_one
            params = (e.originator_id, e.originator_version, e.topic, e.state, *row.params)
        else:
            columns = list(zip(*(row.params for row in rows), strict=True))
            statement = self._record_many
            params = (
                [e.originator_id for e in events],
                [e.originator_version for e in events],
                [e.topic for e in events],
                [e.state for e in events],
                *(list(column) for column in columns),
            )
        with self.datastore.get_connection() as conn, conn.cursor() as c:
            c.execute(statement, params, prepare=True)
            return [int(next(iter(r.values()))) for r in c.fetchall()]

    def row(
        self,
        record_id: UUID,
        case_id: UUID | None,
        staff_id: UUID | None,
        at: datetime,
        outcome: str,
    ) -> AccessRow:
        """The look-up row of one access record, as a write to save with its event."""
        params = (self._id(record_id), self._id(case_id), self._id(staff_id), self._at(at), outcome)
        return AccessRow(self._insert_row, params)

    def events_of(self, record_ids: Sequence[UUID]) -> list[StoredEvent]:
        """The stored events of these access records in one query (an access record is
        one event): what the access-log queries show, without a query per record."""
        if not record_ids:
            return []
        postgres = self.dialect.postgres
        marks = "= ANY(?)" if postgres else f"IN ({', '.join('?' * len(record_ids))})"
        where = f"WHERE originator_id {marks} ORDER BY originator_id, originator_version"
        statement = self.dialect.sql(
            "SELECT originator_id, originator_version, topic, state FROM {events} " + where,  # noqa: S608
            events=self.events_table,
        )
        ids = [self._id(i) for i in record_ids]
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, [ids] if postgres else ids)
            return [
                StoredEvent(
                    originator_id=Dialect.uuid_value(r["originator_id"]),
                    originator_version=r["originator_version"],
                    topic=r["topic"],
                    state=bytes(r["state"]),
                )
                for r in c.fetchall()
            ]

    def find(self, query: AccessQuery) -> list[UUID]:
        """Access record ids matching the filters, newest first."""
        clauses, params = [], []
        for column, value in (("case_id", query.case_id), ("staff_id", query.staff_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(self._id(value))
        if query.since is not None:
            clauses.append("at >= ?")
            params.append(self._at(query.since))
        if query.until is not None:
            clauses.append("at < ?")
            params.append(self._at(query.until))
        if query.outcome is not None:
            clauses.append("outcome = ?")
            params.append(query.outcome)
        where = f"WHERE {' AND '.join(clauses)} " if clauses else ""
        statement = self._sql(
            "SELECT record_id FROM {table} " + where + "ORDER BY at DESC LIMIT ?"  # noqa: S608
        )
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, (*params, query.limit))
            return [Dialect.uuid_value(r["record_id"]) for r in c.fetchall()]
