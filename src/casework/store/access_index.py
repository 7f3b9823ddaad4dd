"""The access log's look-up table: which access record names which case and which
person, when, with what outcome. Written in the same transaction as the access
record's event, so a record is never findable without its event, nor stored
unfindable. Everything else about an access (purpose, reason, record ids, session,
access point) stays sealed in the event.

What stands in clear here, beside the events' own clear metadata: case id, staff id,
the instant and allowed/refused. That links people to cases they tried to read; it
reveals no case content, and it survives the case's erasure on purpose.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from casework.store.sql import Dialect

TABLE = "access_log"


@dataclass(frozen=True)
class AccessQuery:
    """Filters for the access log (all optional; `until` is exclusive)."""

    case_id: UUID | None = None
    staff_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    outcome: str | None = None
    limit: int = 1000


class AccessIndex:
    def __init__(self, datastore: Any, dialect: Dialect) -> None:
        self.datastore = datastore
        self.dialect = dialect

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

    def row(
        self,
        record_id: UUID,
        case_id: UUID | None,
        staff_id: UUID | None,
        at: datetime,
        outcome: str,
    ) -> Callable[[Any], None]:
        """The look-up row of one access record, as a write to save with its event."""
        params = (self._id(record_id), self._id(case_id), self._id(staff_id), self._at(at), outcome)
        statement = self._sql(
            "INSERT INTO {table} (record_id, case_id, staff_id, at, outcome) VALUES (?, ?, ?, ?, ?)"
        )

        def write(cursor: Any) -> None:
            cursor.execute(statement, params)

        return write

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
