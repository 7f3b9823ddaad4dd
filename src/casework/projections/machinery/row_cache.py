"""A view's rows between the database and its event handlers.

Handlers read and change rows in memory; at the end of each batch the changed rows
are taken as bulk statements with their values fixed (`take`), which the runner runs
in the batch's transaction. Rows read once stay cached while the runner keeps leading
the view (only the leader writes them), and the cache is dropped whenever a
transaction fails or rows are erased.
"""

from collections.abc import Callable, Collection, Hashable, Iterable
from functools import partial
from operator import attrgetter, itemgetter
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    Dialect,
    Integer,
    String,
    Table,
    Uuid,
)

from casework.projections.machinery.column_types import UtcDateTime, UuidBytes, sqlite_instant

Row = dict[str, Any]
# A statement with its values, to run in a batch's transaction.
Write = Callable[[Connection], None]

# Above this many cached rows, a store starts the next batch from an empty cache.
_CACHE_LIMIT = 200_000
_IN_CHUNK = 500
_MISSING = object()


def _processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column's bind processing; the two most frequent types done directly."""
    kind = column.type.dialect_impl(dialect)
    if dialect.name == "sqlite":
        if isinstance(kind, UuidBytes):
            return attrgetter("bytes")
        if isinstance(kind, UtcDateTime):
            return sqlite_instant
    elif isinstance(kind, Uuid | UtcDateTime | Boolean):
        return None  # psycopg adapts UUIDs, aware datetimes and booleans itself
    return column.type._cached_bind_processor(dialect)


def _copy_type(column: Column[Any], dialect: Dialect) -> str | None:
    """The PostgreSQL type name binary COPY sends a column's values as."""
    kind = column.type.dialect_impl(dialect)
    for python_type, name in _COPY_TYPES:
        if isinstance(kind, python_type):
            return name
    return None


_COPY_TYPES: list[tuple[type, str]] = [
    (Uuid, "uuid"),
    (UtcDateTime, "timestamptz"),
    (BigInteger, "int8"),
    (Integer, "int4"),
    (String, "text"),
    (Boolean, "bool"),
    (Date, "date"),
]


class _TableSQL:
    """Bulk SELECT by one column, INSERT / upsert and DELETE of one table, compiled
    once per dialect.

    Values go through each column's bind and result processing, but statements run
    as plain driver SQL: SQLAlchemy's per-row parameter handling would otherwise cost
    more than everything else a catch-up does. New rows go to PostgreSQL by COPY."""

    _cache: ClassVar[dict[tuple[str, str], "_TableSQL"]] = {}

    def __init__(self, table: Table, dialect: Dialect) -> None:
        quote = dialect.identifier_preparer.quote
        self.many = dialect.name == "sqlite"
        mark = "?" if self.many else "%s"
        self.columns = [c.name for c in table.columns]
        self.processors = [_processor(c, dialect) for c in table.columns]
        only = self.columns[0]
        self._values = itemgetter(*self.columns) if len(self.columns) > 1 else lambda r: (r[only],)
        self._processed = [
            (i, process, column.nullable)
            for i, (process, column) in enumerate(zip(self.processors, table.columns, strict=True))
            if process is not None
        ]
        self.loaders = [c.type._cached_result_processor(dialect, None) for c in table.columns]
        keys = [c.name for c in table.primary_key.columns]
        target = dialect.identifier_preparer.format_table(table)
        # Our own table and column names only: no user input reaches these strings.
        names = ", ".join(quote(c) for c in self.columns)
        self.head = f"INSERT INTO {target} ({names}) VALUES "  # noqa: S608
        types = [_copy_type(c, dialect) for c in table.columns]
        # Binary COPY (about three times faster than text) when every value goes to
        # the driver as it is and every column has a binary type psycopg can send.
        self.copy_types = types if all(types) and not any(self.processors) else None
        self.copy = f"COPY {target} ({names}) FROM STDIN" + (
            " (FORMAT BINARY)" if self.copy_types else ""
        )
        self.marks = f"({', '.join(mark for _ in self.columns)})"
        others = [quote(c) for c in self.columns if c not in keys]
        action = (
            "UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in others)
            if others
            else "NOTHING"
        )
        self.on_conflict = f" ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO {action}"
        self.where = {
            c: (quote(c), process) for c, process in zip(self.columns, self.processors, strict=True)
        }
        self.select_head = f"SELECT {names} FROM {target} WHERE "  # noqa: S608
        self.delete_head = f"DELETE FROM {target} WHERE "  # noqa: S608
        # PostgreSQL upserts: COPY into a session's temporary twin of the table, then one
        # INSERT .. SELECT moves them over (one statement, not one per row).
        stage = quote(f"stage_{table.name}")
        self.stage_ddl = f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {target})"
        self.stage_copy = self.copy.replace(f"COPY {target} ", f"COPY {stage} ", 1)
        self.from_stage = (
            f"WITH staged AS (DELETE FROM {stage} RETURNING {names}) "  # noqa: S608
            f"INSERT INTO {target} ({names}) SELECT {names} FROM staged{self.on_conflict}"
        )

    @classmethod
    def of(cls, table: Table, dialect: Dialect) -> "_TableSQL":
        key = (table.name, dialect.name)
        statements = cls._cache.get(key)
        if statements is None:
            statements = cls._cache[key] = cls(table, dialect)
        return statements

    def params(self, rows: list[Row]) -> list[tuple[Any, ...]]:
        # Rows to tuples and back by C-level getters and zips; only the values that
        # need converting (ids and instants on SQLite) pass through Python code.
        values = list(map(self._values, rows))
        if not self._processed or not values:
            return values
        columns: list[Any] = list(zip(*values, strict=True))
        for i, process, nullable in self._processed:
            column = columns[i]
            columns[i] = (
                [None if v is None else process(v) for v in column]
                if nullable
                else list(map(process, column))
            )
        return list(zip(*columns, strict=True))

    def _bound(self, column: str, values: Iterable[Any]) -> tuple[str, list[Any]]:
        name, process = self.where[column]
        return name, [v if process is None else process(v) for v in values]

    def select_where(
        self, connection: Connection, column: str, values: Collection[Any]
    ) -> list[Row]:
        """The rows whose `column` is one of `values`."""
        name, wanted = self._bound(column, values)
        found: list[tuple[Any, ...]] = []
        if self.many:
            for i in range(0, len(wanted), _IN_CHUNK):
                chunk = wanted[i : i + _IN_CHUNK]
                statement = f"{self.select_head}{name} IN ({', '.join('?' for _ in chunk)})"
                found += connection.exec_driver_sql(statement, tuple(chunk)).all()
        else:
            statement = f"{self.select_head}{name} = ANY(%s)"
            found = list(connection.exec_driver_sql(statement, (wanted,)).all())
        loaded = list(zip(self.columns, self.loaders, strict=True))
        return [
            {
                c: value if load is None or value is None else load(value)
                for (c, load), value in zip(loaded, row, strict=True)
            }
            for row in found
        ]

    def insert(self, rows: list[Row], *, upsert: bool) -> Write:
        """The INSERT (or upsert) of these rows, their values taken now."""
        params = self.params(rows)
        if self.many:
            statement = self.head + self.marks + (self.on_conflict if upsert else "")
            return partial(_execute_many, statement, params)
        if upsert:
            return partial(self._upsert, params)
        return partial(self._copy, self.copy, params)

    def _copy(self, statement: str, params: list[tuple[Any, ...]], connection: Connection) -> None:
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            if self.copy_types:
                copy.set_types(self.copy_types)
            for row in params:
                copy.write_row(row)

    def _upsert(self, params: list[tuple[Any, ...]], connection: Connection) -> None:
        self._copy(self.stage_copy, params, connection)
        connection.exec_driver_sql(self.from_stage)

    def delete(self, column: str, values: Iterable[Any]) -> Write:
        name, wanted = self._bound(column, values)
        if self.many:
            statement = f"{self.delete_head}{name} = ?"
            return partial(_execute_many, statement, [(v,) for v in wanted])
        statement = f"{self.delete_head}{name} = ANY(%s)"
        return partial(_execute, statement, (wanted,))


def _execute_many(statement: str, params: list[tuple[Any, ...]], connection: Connection) -> None:
    connection.exec_driver_sql(statement, params)  # type: ignore[arg-type]


def _execute(statement: str, params: tuple[Any, ...], connection: Connection) -> None:
    connection.exec_driver_sql(statement, params)


class _CachedRows:
    """What the two cached stores share: `_cache` holds what was read or written,
    `_dirty` what changed since the last `take`, `_unstored` the keys known to have no
    row in the table yet."""

    _cache: dict[Hashable, Any]
    _dirty: dict[Hashable, Row] | set[Hashable]
    _unstored: set[Hashable]

    def forget(self) -> None:
        self._cache.clear()
        self._dirty.clear()
        self._unstored.clear()

    def trim(self) -> None:
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
            self._unstored.clear()


class KeyedRows(_CachedRows):
    """Rows addressed by their one-column primary key (e.g. one row per case)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        (key,) = table.primary_key.columns
        self.key = key.name
        self._cache: dict[Hashable, Row | None] = {}
        self._dirty: dict[Hashable, Row] = {}
        # Keys known to have no row in the table: their rows are inserted, not upserted.
        self._unstored: set[Hashable] = set()
        self.connection: Connection | None = None

    def prime(self, keys: Iterable[Hashable], new: Collection[Hashable] = ()) -> None:
        """Read the rows of many keys with a few queries instead of one each. Keys in
        `new` name records born in this batch: they have no rows yet to read."""
        wanted = [k for k in set(keys) if k not in self._cache]
        if not wanted or self.connection is None:
            return
        for k in wanted:
            self._cache[k] = None
        self._unstored.update(wanted)
        wanted = [k for k in wanted if k not in new]
        if wanted:
            sql = _TableSQL.of(self.table, self.connection.dialect)
            for row in sql.select_where(self.connection, self.key, wanted):
                self._cache[row[self.key]] = row
                self._unstored.discard(row[self.key])

    def get(self, key: Hashable) -> Row | None:
        row = self._cache.get(key, _MISSING)
        if row is _MISSING:
            self.prime((key,))
            return self._cache[key]
        return row  # type: ignore[return-value]

    def put(self, row: Row) -> None:
        key = row[self.key]
        self._cache[key] = row
        self._dirty[key] = row

    def open_writer(self, connection: Connection) -> None:
        """Ready a connection that will write this store's rows."""
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(_TableSQL.of(self.table, connection.dialect).stage_ddl)

    def take(self, dialect: Dialect) -> list[Write]:
        sql = _TableSQL.of(self.table, dialect)
        fresh = [row for key, row in self._dirty.items() if key in self._unstored]
        changed = [row for key, row in self._dirty.items() if key not in self._unstored]
        writes = [sql.insert(rows, upsert=rows is changed) for rows in (fresh, changed) if rows]
        self._unstored.difference_update(self._dirty)
        self._dirty.clear()
        return writes


class PartitionRows(_CachedRows):
    """All rows sharing one column value (e.g. a case's plan items), read and
    replaced together."""

    def __init__(self, table: Table, partition: str) -> None:
        self.table = table
        self.partition = partition
        self._cache: dict[Hashable, list[Row]] = {}
        self._dirty: set[Hashable] = set()
        # Partitions known to have no rows in the table: nothing to delete first.
        self._unstored: set[Hashable] = set()
        self.connection: Connection | None = None

    def prime(self, parts: Iterable[Hashable], new: Collection[Hashable] = ()) -> None:
        wanted = [p for p in set(parts) if p not in self._cache]
        if not wanted or self.connection is None:
            return
        for p in wanted:
            self._cache[p] = []
        self._unstored.update(wanted)
        wanted = [p for p in wanted if p not in new]
        if wanted:
            sql = _TableSQL.of(self.table, self.connection.dialect)
            for row in sql.select_where(self.connection, self.partition, wanted):
                self._cache[row[self.partition]].append(row)
                self._unstored.discard(row[self.partition])

    def open_writer(self, connection: Connection) -> None:
        """Partitions are deleted and inserted: nothing to ready."""

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

    def take(self, dialect: Dialect) -> list[Write]:
        sql = _TableSQL.of(self.table, dialect)
        writes = []
        if stored := self._dirty - self._unstored:
            writes.append(sql.delete(self.partition, stored))
        if rows := [row for p in self._dirty for row in self._cache[p]]:
            writes.append(sql.insert(rows, upsert=False))
        for p in self._dirty:
            (self._unstored.discard if self._cache[p] else self._unstored.add)(p)
        self._dirty.clear()
        return writes


class AppendedRows:
    """Rows only ever added (timeline entries, indicator facts)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._new: list[Row] = []
        self.connection: Connection | None = None

    def add(self, row: Row) -> None:
        self._new.append(row)

    def open_writer(self, connection: Connection) -> None:
        """Rows are only inserted: nothing to ready."""

    def take(self, dialect: Dialect) -> list[Write]:
        if not self._new:
            return []
        write = _TableSQL.of(self.table, dialect).insert(self._new, upsert=False)
        self._new = []
        return [write]

    def forget(self) -> None:
        self._new = []

    def trim(self) -> None:
        """Nothing is cached."""


RowStore = KeyedRows | PartitionRows | AppendedRows
