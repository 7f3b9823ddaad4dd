"""Where wrapped data keys live: in their own table beside the events, never inside them.

One row per key scope (a case, or the organisation). `wrapped_key` is the data key
sealed under the master key; erasure sets it to NULL, which is the only change this
table ever sees besides re-wrapping under a new master key.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, NamedTuple
from uuid import UUID

from casework.store.sql import Dialect

TABLE = "casework_data_keys"


class KeyRow(NamedTuple):
    key_id: UUID
    scope_id: UUID
    wrapped_key: bytes | None
    kek_fingerprint: str | None
    created_at: datetime
    destroyed_at: datetime | None


class KeyTable:
    def __init__(self, datastore: Any, dialect: Dialect) -> None:
        self.datastore = datastore
        self.dialect = dialect

    def _sql(self, statement: str) -> str:
        return self.dialect.sql(statement, table=TABLE)

    @contextmanager
    def _cursor(self, *, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def create(self) -> None:
        d = self.dialect
        when = "timestamptz" if d.postgres else "TEXT"
        with self._cursor(commit=True) as c:
            c.execute(
                self._sql(
                    f"CREATE TABLE IF NOT EXISTS {{table}} (key_id {d.uuid} PRIMARY KEY, "
                    f"scope_id {d.uuid} NOT NULL UNIQUE, wrapped_key {d.blob}, "
                    f"kek_fingerprint TEXT, created_at {when} NOT NULL, destroyed_at {when})"
                )
            )

    def _params_in(self, value: Any) -> Any:
        if isinstance(value, UUID):
            return self.dialect.uuid_param(value)
        if isinstance(value, datetime) and not self.dialect.postgres:
            return value.isoformat()
        return value

    def _row_out(self, row: Any) -> KeyRow:
        def when(v: Any) -> datetime | None:
            if v is None or isinstance(v, datetime):
                return v
            return datetime.fromisoformat(v)

        wrapped = row["wrapped_key"]
        return KeyRow(
            key_id=Dialect.uuid_value(row["key_id"]),
            scope_id=Dialect.uuid_value(row["scope_id"]),
            wrapped_key=bytes(wrapped) if wrapped is not None else None,
            kek_fingerprint=row["kek_fingerprint"],
            created_at=when(row["created_at"]) or datetime.now(tz=UTC),
            destroyed_at=when(row["destroyed_at"]),
        )

    def insert_within(self, cursor: Any, rows: Sequence[KeyRow]) -> None:
        """Insert new keys inside the caller's transaction (the one storing the events)."""
        statement = self._sql(
            "INSERT INTO {table} (key_id, scope_id, wrapped_key, kek_fingerprint, created_at) "
            "VALUES (?, ?, ?, ?, ?)"
        )
        for r in rows:
            cursor.execute(
                statement,
                tuple(
                    self._params_in(v)
                    for v in (r.key_id, r.scope_id, r.wrapped_key, r.kek_fingerprint, r.created_at)
                ),
            )

    def _select(self, where: str, params: Iterable[Any]) -> list[KeyRow]:
        statement = self._sql("SELECT * FROM {table} " + where)  # noqa: S608 - fixed clauses
        with self._cursor(commit=False) as c:
            c.execute(statement, tuple(self._params_in(p) for p in params))
            return [self._row_out(r) for r in c.fetchall()]

    def by_scope(self, scope_id: UUID) -> KeyRow | None:
        rows = self._select("WHERE scope_id = ?", (scope_id,))
        return rows[0] if rows else None

    def by_id(self, key_id: UUID) -> KeyRow | None:
        rows = self._select("WHERE key_id = ?", (key_id,))
        return rows[0] if rows else None

    def fingerprints(self) -> set[str]:
        statement = self._sql(
            "SELECT DISTINCT kek_fingerprint FROM {table} WHERE wrapped_key IS NOT NULL"
        )
        with self._cursor(commit=False) as c:
            c.execute(statement)
            return {r["kek_fingerprint"] for r in c.fetchall()}

    def rewrap_all(self, rewrap: Any, fingerprint: str) -> int:
        """Re-wrap every live key in one transaction: all under the new master key, or none."""
        with self._cursor(commit=True) as c:
            c.execute(self._sql("SELECT * FROM {table} WHERE wrapped_key IS NOT NULL"))
            rows = [self._row_out(r) for r in c.fetchall()]
            update = self._sql(
                "UPDATE {table} SET wrapped_key = ?, kek_fingerprint = ? WHERE key_id = ?"
            )
            for row in rows:
                c.execute(
                    update,
                    (rewrap(row), fingerprint, self._params_in(row.key_id)),
                )
        return len(rows)

    def destroy(self, scope_id: UUID, at: datetime) -> bool:
        """Forget a scope's key for good; returns False if there was none to destroy."""
        row = self.by_scope(scope_id)
        if row is None or row.wrapped_key is None:
            return False
        with self._cursor(commit=True) as c:
            if not self.dialect.postgres:
                # Zero freed space so the old wrapped key is not left in the file.
                c.execute("PRAGMA secure_delete = ON")
            c.execute(
                self._sql(
                    "UPDATE {table} SET wrapped_key = NULL, destroyed_at = ? WHERE key_id = ?"
                ),
                (self._params_in(at), self._params_in(row.key_id)),
            )
        if not self.dialect.postgres:
            with self._cursor(commit=False) as c:
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return True
