"""Tables that sign-in needs beside the events: which account a user name names, and
how many sign-ins failed lately, per account and per source.

`casework_accounts`: a user name is stored only as HMAC-SHA256 under the index key
(the blind-index key, wrapped by the master key), so the database alone does not list
who has an account; one account per staff member (unique staff id); and the last
TOTP time step used, so a one-time code is accepted once. The row is written in the
transaction of the account's first event: no account without its row.

`casework_sign_in_failures`: a counter per account (`account:<id>`) and per source
(`source:<address or terminal>`): failures since the last quiet period, the last
failure, and for a source the end of its lockout (an account's lockout is an event
on the account). A success clears the account's counter, never the source's.
"""

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from casework.store.sessions import Columns
from casework.store.sql import Dialect

ACCOUNTS_TABLE = "casework_accounts"
FAILURES_TABLE = "casework_sign_in_failures"


class AccountNames(Columns):
    def __init__(self, datastore: Any, dialect: Dialect, index_key: Callable[[], bytes]) -> None:
        super().__init__(datastore, dialect)
        self.index_key = index_key

    def _sql(self, statement: str) -> str:
        return self.dialect.sql(statement, table=ACCOUNTS_TABLE)

    def create(self) -> None:
        d = self.dialect
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    f"CREATE TABLE IF NOT EXISTS {{table}} (account_id {d.uuid} PRIMARY KEY, "
                    f"name_key {d.blob} NOT NULL UNIQUE, staff_id {d.uuid} NOT NULL UNIQUE, "
                    f"last_totp_step {d.bigint})"
                )
            )

    def name_key(self, user_name: str) -> bytes:
        return hmac.new(self.index_key(), b"account:" + user_name.encode(), hashlib.sha256).digest()

    def row(self, account_id: UUID, user_name: str, staff_id: UUID) -> Callable[[Any], None]:
        """The account's row, as a write to save with its first event."""
        params = (self.id(account_id), self.name_key(user_name), self.id(staff_id))
        statement = self._sql(
            "INSERT INTO {table} (account_id, name_key, staff_id) VALUES (?, ?, ?)"
        )

        def write(cursor: Any) -> None:
            cursor.execute(statement, params)

        return write

    def _one(self, where: str, param: Any) -> UUID | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._sql("SELECT account_id FROM {table} WHERE " + where), (param,))  # noqa: S608
            row = c.fetchone()
        return Dialect.uuid_value(row["account_id"]) if row else None

    def by_user_name(self, user_name: str) -> UUID | None:
        return self._one("name_key = ?", self.name_key(user_name))

    def by_staff(self, staff_id: UUID) -> UUID | None:
        return self._one("staff_id = ?", self.id(staff_id))

    def any(self) -> bool:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._sql("SELECT 1 AS found FROM {table} LIMIT 1"))
            return c.fetchone() is not None

    def use_totp_step(self, account_id: UUID, step: int) -> bool:
        """Mark a TOTP time step used; False if it (or a later one) was used already."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    "UPDATE {table} SET last_totp_step = ? WHERE account_id = ? "
                    "AND (last_totp_step IS NULL OR last_totp_step < ?) RETURNING account_id"
                ),
                (step, self.id(account_id), step),
            )
            return bool(c.fetchall())


class Failures(NamedTuple):
    failures: int
    last_failed_at: datetime | None
    locked_until: datetime | None


NO_FAILURES = Failures(0, None, None)


def account_key(account_id: UUID) -> str:
    return f"account:{account_id}"


def source_key(source: str) -> str:
    return f"source:{source}"


class FailureCounters(Columns):
    def _sql(self, statement: str) -> str:
        return self.dialect.sql(statement, table=FAILURES_TABLE)

    def create(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {table} (counter_key TEXT PRIMARY KEY, "
                    f"failures INTEGER NOT NULL, last_failed_at {self.when} NOT NULL, "
                    f"locked_until {self.when})"
                )
            )

    def get(self, key: str) -> Failures:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._sql("SELECT * FROM {table} WHERE counter_key = ?"), (key,))
            row = c.fetchone()
        if row is None:
            return NO_FAILURES
        return Failures(
            int(row["failures"]),
            self.at_value(row["last_failed_at"]),
            self.at_value(row["locked_until"]),
        )

    def count_failure(self, key: str, at: datetime, quiet_since: datetime) -> int:
        """One more failure; the count starts again after a quiet period (no failure
        since `quiet_since`). Returns the count, this failure included."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    "INSERT INTO {table} AS f (counter_key, failures, last_failed_at) "
                    "VALUES (?, 1, ?) ON CONFLICT (counter_key) DO UPDATE SET "
                    "failures = CASE WHEN f.last_failed_at < ? THEN 1 ELSE f.failures + 1 END, "
                    "last_failed_at = excluded.last_failed_at, "
                    "locked_until = CASE WHEN f.last_failed_at < ? THEN NULL "
                    "ELSE f.locked_until END "
                    "RETURNING failures"
                ),
                (key, self.at(at), self.at(quiet_since), self.at(quiet_since)),
            )
            return int(c.fetchone()["failures"])

    def lock(self, key: str, until: datetime) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql("UPDATE {table} SET locked_until = ? WHERE counter_key = ?"),
                (self.at(until), key),
            )

    def clear(self, key: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(self._sql("DELETE FROM {table} WHERE counter_key = ?"), (key,))
