"""Where wrapped data keys live: in their own table beside the events, never inside them.

One row per key scope (a case, or the organisation). `wrapped_key` is the data key
sealed under the master key; erasure sets it to NULL, which is the only change this
table ever sees besides re-wrapping under a new master key. A trigger refuses any
other change (and any DELETE).

Every step of a key's life is also an entry in the key log (`casework_key_log`,
append-only), written in the same transaction as the change: `created` (with the
events first sealed under it), `rewrapped` (master-key rotation), `destroyed`
(erasure), or `adopted` (a key from before the log). An entry holds the key and scope
ids, the master key's fingerprint and the SHA-256 of the wrapped key: nothing from
which the key could be recovered. Each signed checkpoint commits to the log (its
entry count and a hash chain over the entries), so `casework verify` can tell a key
destroyed or replaced behind casework's back from one erased or re-wrapped by it.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from hashlib import sha256
from typing import Any, NamedTuple
from uuid import UUID

from casework.store.sql import Dialect
from casework.store.triggers import (
    postgres_append_only,
    postgres_key_table_guard,
    sqlite_append_only,
    sqlite_key_table_guard,
)

TABLE = "casework_data_keys"
LOG_TABLE = "casework_key_log"
# The hash chain's starting value: the head of an empty key log.
EMPTY_LOG_HEAD = sha256(b"casework key log").digest()


class KeyAction(StrEnum):
    CREATED = "created"
    REWRAPPED = "rewrapped"
    DESTROYED = "destroyed"
    ADOPTED = "adopted"


class KeyLogEntry(NamedTuple):
    """One step of a data key's life, revealing no key material."""

    seq: int
    key_id: UUID
    scope_id: UUID
    action: KeyAction
    wrapped_hash: bytes | None  # SHA-256 of the wrapped key after the step (None: destroyed)
    kek_fingerprint: str | None
    at: datetime

    def encode(self) -> bytes:
        wrapped = self.wrapped_hash.hex() if self.wrapped_hash is not None else "-"
        return (
            f"{self.seq}\n{self.key_id}\n{self.scope_id}\n{self.action.value}\n{wrapped}\n"
            f"{self.kek_fingerprint or '-'}\n{self.at.astimezone(UTC).isoformat()}\n"
        ).encode()


def chain_head(entries: Iterable[KeyLogEntry]) -> bytes:
    """head = SHA-256(previous head ‖ SHA-256(entry)), from `EMPTY_LOG_HEAD`."""
    head = EMPTY_LOG_HEAD
    for entry in entries:
        head = sha256(head + sha256(entry.encode()).digest()).digest()
    return head


def wrapped_hash(wrapped: bytes | None) -> bytes | None:
    return sha256(wrapped).digest() if wrapped is not None else None


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

    def _log_sql(self, statement: str) -> str:
        return self.dialect.sql(statement, table=TABLE, log=LOG_TABLE)

    def create(self) -> None:
        d = self.dialect
        when = "timestamptz" if d.postgres else "TEXT"
        schema = d.schema or "public"
        statements: list[Any] = [
            self._sql(
                f"CREATE TABLE IF NOT EXISTS {{table}} (key_id {d.uuid} PRIMARY KEY, "
                f"scope_id {d.uuid} NOT NULL UNIQUE, wrapped_key {d.blob}, "
                f"kek_fingerprint TEXT, created_at {when} NOT NULL, destroyed_at {when})"
            ),
            self._log_sql(
                f"CREATE TABLE IF NOT EXISTS {{log}} (seq {d.bigint} PRIMARY KEY, "
                f"key_id {d.uuid} NOT NULL, scope_id {d.uuid} NOT NULL, action TEXT NOT NULL, "
                f"wrapped_hash {d.blob}, kek_fingerprint TEXT, at TEXT NOT NULL)"
            ),
        ]
        if d.postgres:
            statements += postgres_append_only(schema, LOG_TABLE)
            statements += postgres_key_table_guard(schema, TABLE, LOG_TABLE)
        else:
            statements += sqlite_append_only(LOG_TABLE)
            statements += sqlite_key_table_guard(TABLE, LOG_TABLE)
        with self._cursor(commit=True) as c:
            for statement in statements:
                c.execute(statement)
            self._adopt_unlogged(c)

    def _adopt_unlogged(self, cursor: Any) -> None:
        """Keys stored before the key log existed enter it as `adopted`, once."""
        self._lock_log(cursor)
        cursor.execute(self._log_sql("SELECT COUNT(*) AS n FROM {log}"))
        if cursor.fetchone()["n"]:
            return
        cursor.execute(self._sql("SELECT * FROM {table} ORDER BY created_at"))
        rows = [self._row_out(r) for r in cursor.fetchall()]
        now = datetime.now(UTC)
        self._append(
            cursor,
            [
                (r, KeyAction.ADOPTED if r.wrapped_key is not None else KeyAction.DESTROYED, now)
                for r in rows
            ],
        )

    def _lock_log(self, cursor: Any) -> None:
        """Entries are numbered under a lock, so they commit in the order of their numbers
        (SQLite serialises writers anyway)."""
        if self.dialect.postgres:
            cursor.execute(self._log_sql("LOCK TABLE {log} IN EXCLUSIVE MODE"))

    def _append(self, cursor: Any, steps: Sequence[tuple[KeyRow, KeyAction, datetime]]) -> None:
        if not steps:
            return
        # The database numbers each entry (under the lock): no round trip to read the
        # last number, so on PostgreSQL these inserts go down the events' own pipeline.
        statement = self._log_sql(
            "INSERT INTO {log} (seq, key_id, scope_id, action, wrapped_hash, kek_fingerprint, at) "
            "SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ? FROM {log}"
        )
        for row, action, at in steps:
            cursor.execute(
                statement,
                (
                    self._params_in(row.key_id),
                    self._params_in(row.scope_id),
                    action.value,
                    wrapped_hash(row.wrapped_key),
                    row.kek_fingerprint,
                    at.astimezone(UTC).isoformat(),
                ),
            )

    def log_entries(self) -> list[KeyLogEntry]:
        with self._cursor(commit=False) as c:
            c.execute(self._log_sql("SELECT * FROM {log} ORDER BY seq"))
            return [
                KeyLogEntry(
                    seq=r["seq"],
                    key_id=Dialect.uuid_value(r["key_id"]),
                    scope_id=Dialect.uuid_value(r["scope_id"]),
                    action=KeyAction(r["action"]),
                    wrapped_hash=bytes(r["wrapped_hash"]) if r["wrapped_hash"] else None,
                    kek_fingerprint=r["kek_fingerprint"],
                    at=datetime.fromisoformat(r["at"]),
                )
                for r in c.fetchall()
            ]

    def all_rows(self) -> list[KeyRow]:
        return self._select("", ())

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
        if not rows:
            return
        self._lock_log(cursor)
        for r in rows:
            cursor.execute(
                statement,
                tuple(
                    self._params_in(v)
                    for v in (r.key_id, r.scope_id, r.wrapped_key, r.kek_fingerprint, r.created_at)
                ),
            )
        self._append(cursor, [(r, KeyAction.CREATED, r.created_at) for r in rows])

    def _select(self, where: str, params: Iterable[Any]) -> list[KeyRow]:
        statement = self._sql("SELECT * FROM {table} " + where)  # noqa: S608 - fixed clauses
        with self._cursor(commit=False) as c:
            c.execute(statement, tuple(self._params_in(p) for p in params))
            return [self._row_out(r) for r in c.fetchall()]

    def by_scope(self, scope_id: UUID) -> KeyRow | None:
        rows = self._select("WHERE scope_id = ?", (scope_id,))
        return rows[0] if rows else None

    def destroyed_among(self, scope_ids: Iterable[UUID]) -> set[UUID]:
        """Which of these scopes (cases) have had their key destroyed: erased."""
        wanted = list(dict.fromkeys(scope_ids))
        if not wanted:
            return set()
        marks = ", ".join("?" for _ in wanted)
        rows = self._select(
            f"WHERE destroyed_at IS NOT NULL AND scope_id IN ({marks})",
            wanted,
        )
        return {r.scope_id for r in rows}

    def by_id(self, key_id: UUID) -> KeyRow | None:
        rows = self._select("WHERE key_id = ?", (key_id,))
        return rows[0] if rows else None

    def last_log_entry(self) -> int:
        """The number of the key log's last entry (0 while it is empty)."""
        with self._cursor(commit=False) as c:
            return self._last_log_entry(c)

    def _last_log_entry(self, cursor: Any) -> int:
        cursor.execute(self._log_sql("SELECT MAX(seq) AS top FROM {log}"))
        return int(cursor.fetchone()["top"] or 0)

    def destroyed_since(self, seq: int) -> tuple[int, set[UUID]]:
        """The key log's last entry number, and the scopes whose keys were destroyed in
        entries after `seq`: how a process learns of another's erasures (`Keyring`).
        Two look-ups on the log's key, whatever the number of keys."""
        with self._cursor(commit=False) as c:
            top = self._last_log_entry(c)
            if top <= seq:
                return top, set()
            destroyed = "SELECT scope_id FROM {log} WHERE seq > ? AND seq <= ? AND action = ?"
            c.execute(self._log_sql(destroyed), (seq, top, KeyAction.DESTROYED.value))
            return top, {Dialect.uuid_value(r["scope_id"]) for r in c.fetchall()}

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
            self._lock_log(c)
            c.execute(self._sql("SELECT * FROM {table} WHERE wrapped_key IS NOT NULL"))
            rows = [self._row_out(r) for r in c.fetchall()]
            rewrapped = [
                row._replace(wrapped_key=rewrap(row), kek_fingerprint=fingerprint) for row in rows
            ]
            now = datetime.now(UTC)
            self._append(c, [(row, KeyAction.REWRAPPED, now) for row in rewrapped])
            update = self._sql(
                "UPDATE {table} SET wrapped_key = ?, kek_fingerprint = ? WHERE key_id = ?"
            )
            for row in rewrapped:
                c.execute(
                    update,
                    (row.wrapped_key, fingerprint, self._params_in(row.key_id)),
                )
        return len(rows)

    def destroy(self, scope_id: UUID, at: datetime) -> bool:
        """Forget a scope's key for good, and log it (the caller has recorded the
        erasure: `verify` holds each destruction against the erasure register); returns
        False if there was none to destroy."""
        row = self.by_scope(scope_id)
        if row is None or row.wrapped_key is None:
            return False
        with self._cursor(commit=True) as c:
            if not self.dialect.postgres:
                # Zero freed space so the old wrapped key is not left in the file.
                c.execute("PRAGMA secure_delete = ON")
            self._lock_log(c)
            gone = row._replace(wrapped_key=None, destroyed_at=at)
            self._append(c, [(gone, KeyAction.DESTROYED, at)])
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
