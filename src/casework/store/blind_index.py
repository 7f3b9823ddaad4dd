"""Finding a client without plaintext on disk: keyed blind indexes.

Each searchable field (exact ID number, phone, normalised name; and, for intake's
duplicate check, name and date of birth together) is stored only as
HMAC-SHA256 under the search-index data key, a random key wrapped by the master key
like every other (so rotating the master key keeps the index valid, and nobody with
the database alone can test guesses). Rows point at the case; erasing a case forgets
its rows.
"""

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from casework.store.key_table import KeyRow
from casework.store.keyring import SEARCH_INDEX_SCOPE, Keyring
from casework.store.sql import Dialect

TABLE = "casework_client_index"

FIELDS = ("id_number", "phone", "name")
# Name and date of birth as one token: intake's duplicate check finds the cases whose
# client has both from the index alone, instead of opening every case sharing the name.
NAME_AND_BIRTH = "name_dob"

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_NOT_DIGIT = re.compile(r"\D+")


def name_and_birth(name: str, born: date | None) -> str:
    """The value indexed as `NAME_AND_BIRTH` (no date of birth matches no date)."""
    return f"{name}\x00{born.isoformat() if born else ''}"


def normalise(field: str, value: str) -> str:
    """The form a field is compared in: the same person typed twice matches."""
    if field == NAME_AND_BIRTH:
        name, _, born = value.partition("\x00")
        normalised = normalise("name", name)
        return f"{normalised}\x00{born}" if normalised else ""
    text = unicodedata.normalize("NFKC", value).strip()
    if field == "phone":
        digits = _NOT_DIGIT.sub("", text)
        # Mainland numbers are written with or without the country code.
        return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits
    if field == "id_number":
        return re.sub(r"[\s-]+", "", text).upper()
    if field == "name":
        return _NOT_WORD.sub("", text.casefold())
    raise ValueError(f"not a searchable field: {field}")


class ClientIndex:
    """SQL for the index table on either backend (like the key table beside it)."""

    def __init__(self, datastore: Any, dialect: Dialect, keyring: Keyring) -> None:
        self.datastore = datastore
        self.dialect = dialect
        self.keyring = keyring

    def _sql(self, statement: str) -> str:
        return self.dialect.sql(statement, table=TABLE)

    def _id(self, value: UUID) -> Any:
        return self.dialect.uuid_param(value)

    def create(self) -> None:
        d = self.dialect
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    f"CREATE TABLE IF NOT EXISTS {{table}} (token {d.blob} NOT NULL, "
                    f"case_id {d.uuid} NOT NULL, PRIMARY KEY (token, case_id))"
                )
            )
            c.execute(self._sql(f"CREATE INDEX IF NOT EXISTS {TABLE}_case ON {{table}} (case_id)"))
        self._store_key()

    def _store_key(self) -> None:
        """The index key is made once, the first time any store starts; it is stored
        at once (no event carries it in, unlike a case's key)."""
        if self.keyring.table.by_scope(SEARCH_INDEX_SCOPE) is not None:
            return
        key = self.keyring.for_scope(SEARCH_INDEX_SCOPE, new=True)
        row = KeyRow(
            key_id=key.key_id,
            scope_id=SEARCH_INDEX_SCOPE,
            wrapped_key=self.keyring.master.wrap(key.secret, key.key_id, SEARCH_INDEX_SCOPE),
            kek_fingerprint=self.keyring.master.fingerprint,
            created_at=datetime.now(tz=UTC),
            destroyed_at=None,
        )
        try:
            with self.datastore.transaction(commit=True) as c:
                self.keyring.table.insert_within(c, [row])
        except Exception:
            # Another process made it first: use theirs.
            self.keyring.settle([row], stored=False)
            if self.keyring.table.by_scope(SEARCH_INDEX_SCOPE) is None:
                raise
            return
        self.keyring.settle([row], stored=True)

    def token(self, field: str, value: str) -> bytes:
        key = self.keyring.for_scope(SEARCH_INDEX_SCOPE).secret
        message = field.encode() + b"\x00" + normalise(field, value).encode()
        return hmac.new(key, message, hashlib.sha256).digest()

    def tokens(self, searchable: Iterable[tuple[str, str | None]]) -> set[bytes]:
        return {
            self.token(field, value)
            for field, value in searchable
            if value and normalise(field, value)
        }

    def replacement(
        self, case_id: UUID, searchable: Iterable[tuple[str, str | None]]
    ) -> Callable[[Any], None]:
        """The index rows of a case's clients, afresh (after intake or a correction of
        their details), as a write to save with the case's events: both or neither."""
        tokens = self.tokens(searchable)
        case = self._id(case_id)

        def write(cursor: Any) -> None:
            cursor.execute(self._sql("DELETE FROM {table} WHERE case_id = ?"), (case,))
            for token in tokens:
                cursor.execute(
                    self._sql("INSERT INTO {table} (token, case_id) VALUES (?, ?)"), (token, case)
                )

        return write

    def find(self, field: str, value: str) -> list[UUID]:
        """Cases whose clients have exactly this (normalised) value."""
        if not normalise(field, value):
            return []
        token = self.token(field, value)
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._sql("SELECT case_id FROM {table} WHERE token = ? ORDER BY case_id"),
                (token,),
            )
            rows = c.fetchall()
        return [Dialect.uuid_value(r["case_id"]) for r in rows]

    def forget_case(self, case_id: UUID) -> int:
        """Erasure: remove every index row of the case; returns how many went."""
        with self.datastore.transaction(commit=True) as c:
            if not self.dialect.postgres:
                c.execute("PRAGMA secure_delete = ON")
            params = (self._id(case_id),)
            c.execute(self._sql("SELECT COUNT(*) AS n FROM {table} WHERE case_id = ?"), params)
            count = int(c.fetchone()["n"])
            c.execute(self._sql("DELETE FROM {table} WHERE case_id = ?"), params)
        return count
