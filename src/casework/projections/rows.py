"""A view's rows between the database and its event handlers.

Handlers read and change rows in memory; at the end of each batch the changed rows
are written with a few bulk statements in the batch's transaction. Rows read once
stay cached while the runner keeps leading the view (only the leader writes them),
and the cache is dropped whenever a transaction fails or rows are erased.
"""

from collections.abc import Hashable, Iterable
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

Row = dict[str, Any]

# Above this many cached rows, a store starts the next batch from an empty cache.
_CACHE_LIMIT = 200_000
_IN_CHUNK = 500


def _upsert(connection: Connection, table: Table, keys: list[str], rows: list[Row]) -> None:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    others = [c.name for c in table.columns if c.name not in keys]
    if others:
        statement = statement.on_conflict_do_update(
            index_elements=keys, set_={name: statement.excluded[name] for name in others}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    connection.execute(statement, rows)


class KeyedRows:
    """Rows addressed by their primary key (e.g. one row per case)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.keys = [c.name for c in table.primary_key.columns]
        self._cache: dict[Hashable, Row | None] = {}
        self._dirty: dict[Hashable, Row] = {}
        self.connection: Connection | None = None

    def _key(self, row: Row) -> Hashable:
        return row[self.keys[0]] if len(self.keys) == 1 else tuple(row[k] for k in self.keys)

    def prime(self, keys: Iterable[Hashable]) -> None:
        """Read the rows of many keys with a few queries instead of one each."""
        wanted = [k for k in set(keys) if k not in self._cache]
        if not wanted or self.connection is None:
            return
        for k in wanted:
            self._cache[k] = None
        columns = [self.table.c[k] for k in self.keys]
        target = columns[0] if len(columns) == 1 else tuple_(*columns)
        for i in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[i : i + _IN_CHUNK]
            for found in self.connection.execute(select(self.table).where(target.in_(chunk))):
                row = found._asdict()
                self._cache[self._key(row)] = row

    def get(self, key: Hashable) -> Row | None:
        if key not in self._cache:
            self.prime((key,))
        return self._cache[key]

    def put(self, row: Row) -> None:
        key = self._key(row)
        self._cache[key] = row
        self._dirty[key] = row

    def flush(self, connection: Connection) -> None:
        if self._dirty:
            _upsert(connection, self.table, self.keys, list(self._dirty.values()))
            self._dirty.clear()

    def forget(self) -> None:
        self._cache.clear()
        self._dirty.clear()

    def trim(self) -> None:
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()


class PartitionRows:
    """All rows sharing one column value (e.g. a case's plan items), read and
    replaced together."""

    def __init__(self, table: Table, partition: str) -> None:
        self.table = table
        self.partition = partition
        self._cache: dict[Hashable, list[Row]] = {}
        self._dirty: set[Hashable] = set()
        self.connection: Connection | None = None

    def prime(self, parts: Iterable[Hashable]) -> None:
        wanted = [p for p in set(parts) if p not in self._cache]
        if not wanted or self.connection is None:
            return
        for p in wanted:
            self._cache[p] = []
        column = self.table.c[self.partition]
        for i in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[i : i + _IN_CHUNK]
            for found in self.connection.execute(select(self.table).where(column.in_(chunk))):
                row = found._asdict()
                self._cache[row[self.partition]].append(row)

    def get(self, part: Hashable) -> list[Row]:
        """The partition's rows; change them in place or `replace` them, then `touch`."""
        if part not in self._cache:
            self.prime((part,))
        return self._cache[part]

    def replace(self, part: Hashable, rows: list[Row]) -> None:
        self._cache[part] = rows
        self._dirty.add(part)

    def touch(self, part: Hashable) -> None:
        self._dirty.add(part)

    def flush(self, connection: Connection) -> None:
        if not self._dirty:
            return
        column = self.table.c[self.partition]
        connection.execute(
            delete(self.table).where(column == bindparam("_part")),
            [{"_part": p} for p in self._dirty],
        )
        rows = [row for p in self._dirty for row in self._cache[p]]
        if rows:
            connection.execute(self.table.insert(), rows)
        self._dirty.clear()

    def forget(self) -> None:
        self._cache.clear()
        self._dirty.clear()

    def trim(self) -> None:
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()


class AppendedRows:
    """Rows only ever added (timeline entries, indicator facts)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._new: list[Row] = []
        self.connection: Connection | None = None

    def add(self, row: Row) -> None:
        self._new.append(row)

    def flush(self, connection: Connection) -> None:
        if self._new:
            connection.execute(self.table.insert(), self._new)
            self._new = []

    def forget(self) -> None:
        self._new = []

    def trim(self) -> None:
        """Nothing is cached."""


RowStore = KeyedRows | PartitionRows | AppendedRows
