"""Signed-in sessions: one row per session, found by the SHA-256 hash of its token.

The token itself (`secrets.token_urlsafe(32)`, 256 random bits) is handed to the
person signing in and never stored: someone who reads the table cannot use a
session. A row says whose session it is (staff id, account, the role they signed in
to act in, the access point and purpose), when it was last used, when it expires
(idle and absolute), and when and why it was ended. Rows change (last use,
revocation), so sessions are a table beside the events, not events: the account's
lasting facts are events, the access log records every sign-in and sign-out.
"""

import hashlib
import secrets
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, NamedTuple
from uuid import UUID

from casework.aggregates.base import Role
from casework.store.sql import Dialect, one_statement

TABLE = "casework_sessions"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class Columns:
    """How times and ids are stored on either backend (timestamptz and uuid on
    PostgreSQL; ISO text in UTC, to the microsecond, and hex on SQLite, which compare
    in order)."""

    def __init__(self, datastore: Any, dialect: Dialect) -> None:
        self.datastore = datastore
        self.dialect = dialect
        self.when = "timestamptz" if dialect.postgres else "TEXT"

    def at(self, value: datetime | None) -> Any:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value if self.dialect.postgres else value.isoformat(timespec="microseconds")

    @staticmethod
    def at_value(value: Any) -> datetime | None:
        if value is None:
            return None
        return value if isinstance(value, datetime) else datetime.fromisoformat(value)

    def id(self, value: UUID) -> Any:
        return self.dialect.uuid_param(value)

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A cursor for one SELECT, outside any explicit transaction: every request
        looks its session up. PostgreSQL's connections are in autocommit, so there it is
        one round trip, not three (BEGIN, the SELECT, ROLLBACK); on SQLite one call into
        SQLite, not three (`one_statement`)."""
        if self.dialect.postgres:
            with self.datastore.cursor() as c:
                yield c
        else:
            with one_statement(self.datastore) as c:
                yield c


class SessionRow(NamedTuple):
    session_id: UUID
    account_id: UUID
    staff_id: UUID
    role: Role
    access_point: str
    purpose: str
    source: str
    created_at: datetime
    last_seen_at: datetime
    idle_expires_at: datetime
    absolute_expires_at: datetime
    revoked_at: datetime | None
    revoked_reason: str
    # The last version stored of the staff member's record, read with the row by `find`
    # (None: not read, or no record): their record is then kept fresh without asking.
    staff_version: int | None = None

    def expired(self, at: datetime) -> bool:
        return at >= self.idle_expires_at or at >= self.absolute_expires_at


class SessionTable(Columns):
    def __init__(self, datastore: Any, dialect: Dialect, events_table: str) -> None:
        super().__init__(datastore, dialect)
        self.events_table = events_table

    def _sql(self, statement: str) -> str:
        return self.dialect.sql(statement, table=TABLE, events=self.events_table)

    def create(self) -> None:
        d = self.dialect
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    f"CREATE TABLE IF NOT EXISTS {{table}} (token_hash {d.blob} PRIMARY KEY, "
                    f"session_id {d.uuid} NOT NULL UNIQUE, account_id {d.uuid} NOT NULL, "
                    f"staff_id {d.uuid} NOT NULL, role TEXT NOT NULL, "
                    "access_point TEXT NOT NULL, purpose TEXT NOT NULL, source TEXT NOT NULL, "
                    f"created_at {self.when} NOT NULL, last_seen_at {self.when} NOT NULL, "
                    f"idle_expires_at {self.when} NOT NULL, "
                    f"absolute_expires_at {self.when} NOT NULL, "
                    f"revoked_at {self.when}, revoked_reason TEXT NOT NULL DEFAULT '')"
                )
            )
            c.execute(
                self._sql(f"CREATE INDEX IF NOT EXISTS {TABLE}_staff ON {{table}} (staff_id)")
            )

    def insert(self, token: str, row: SessionRow) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    "INSERT INTO {table} (token_hash, session_id, account_id, staff_id, role, "
                    "access_point, purpose, source, created_at, last_seen_at, idle_expires_at, "
                    "absolute_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                (
                    token_hash(token),
                    self.id(row.session_id),
                    self.id(row.account_id),
                    self.id(row.staff_id),
                    row.role.value,
                    row.access_point,
                    row.purpose,
                    row.source,
                    self.at(row.created_at),
                    self.at(row.last_seen_at),
                    self.at(row.idle_expires_at),
                    self.at(row.absolute_expires_at),
                ),
            )

    def _row(self, r: Any, staff_version: int | None = None) -> SessionRow:
        def when(name: str) -> datetime:
            return self.at_value(r[name]) or datetime.min.replace(tzinfo=UTC)

        return SessionRow(
            session_id=Dialect.uuid_value(r["session_id"]),
            account_id=Dialect.uuid_value(r["account_id"]),
            staff_id=Dialect.uuid_value(r["staff_id"]),
            role=Role(r["role"]),
            access_point=r["access_point"],
            purpose=r["purpose"],
            source=r["source"],
            created_at=when("created_at"),
            last_seen_at=when("last_seen_at"),
            idle_expires_at=when("idle_expires_at"),
            absolute_expires_at=when("absolute_expires_at"),
            revoked_at=self.at_value(r["revoked_at"]),
            revoked_reason=r["revoked_reason"],
            staff_version=staff_version,
        )

    def find(self, token: str) -> SessionRow | None:
        """The session of `token`, with the last version stored of its staff member's
        record: every request checks both, and on PostgreSQL each statement is a round
        trip (the record's own MAX, read off the end of the events' index)."""
        with self.reading() as c:
            c.execute(
                self._sql(
                    "SELECT s.*, (SELECT MAX(e.originator_version) FROM {events} e "
                    "WHERE e.originator_id = s.staff_id) AS staff_version "
                    "FROM {table} s WHERE s.token_hash = ?"
                ),
                (token_hash(token),),
            )
            row = c.fetchone()
        return self._row(row, row["staff_version"]) if row else None

    def by_id(self, session_id: UUID) -> SessionRow | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._sql("SELECT * FROM {table} WHERE session_id = ?"), (self.id(session_id),)
            )
            row = c.fetchone()
        return self._row(row) if row else None

    def touch(self, session_id: UUID, at: datetime, idle_expires_at: datetime) -> bool:
        """Record a use, moving the idle limit on; False if it was ended meanwhile."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    "UPDATE {table} SET last_seen_at = ?, idle_expires_at = ? "
                    "WHERE session_id = ? AND revoked_at IS NULL RETURNING session_id"
                ),
                (self.at(at), self.at(idle_expires_at), self.id(session_id)),
            )
            return bool(c.fetchall())

    def live_for_staff(self, staff_id: UUID, at: datetime) -> list[SessionRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._sql(
                    "SELECT * FROM {table} WHERE staff_id = ? AND revoked_at IS NULL "
                    "AND idle_expires_at > ? AND absolute_expires_at > ? ORDER BY created_at"
                ),
                (self.id(staff_id), self.at(at), self.at(at)),
            )
            return [self._row(r) for r in c.fetchall()]

    def revoke(self, session_ids: Collection[UUID], at: datetime, reason: str) -> list[UUID]:
        """End these sessions; returns those that were still open."""
        ended: list[UUID] = []
        statement = self._sql(
            "UPDATE {table} SET revoked_at = ?, revoked_reason = ? "
            "WHERE session_id = ? AND revoked_at IS NULL RETURNING session_id"
        )
        with self.datastore.transaction(commit=True) as c:
            for session_id in session_ids:
                c.execute(statement, (self.at(at), reason, self.id(session_id)))
                if c.fetchall():
                    ended.append(session_id)
        return ended

    def revoke_staff(
        self, staff_id: UUID, at: datetime, reason: str, keep_roles: Collection[Role] = ()
    ) -> list[UUID]:
        """End a person's open sessions, except those in a role in `keep_roles`."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._sql(
                    "SELECT session_id, role FROM {table} WHERE staff_id = ? AND revoked_at IS NULL"
                ),
                (self.id(staff_id),),
            )
            open_sessions = [
                (Dialect.uuid_value(r["session_id"]), Role(r["role"])) for r in c.fetchall()
            ]
        return self.revoke(
            [session_id for session_id, role in open_sessions if role not in keep_roles],
            at,
            reason,
        )
