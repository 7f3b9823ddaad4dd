"""A view's rows between the database and its event handlers.

Handlers read and change rows in memory; at the end of each batch the changed rows
are written with a few bulk statements in the batch's transaction. Rows read once
stay cached while the runner keeps leading the view (only the leader writes them),
and the cache is dropped whenever a transaction fails or rows are erased.
"""

from collections.abc import Callable, Hashable, Iterable
from operator import attrgetter
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
    select,
    tuple_,
)

from casework.projections.tables import UtcDateTime, UuidBytes, sqlite_instant

Row = dict[str, Any]

# Above this many cached rows, a store starts the next batch from an empty cache.
_CACHE_LIMIT = 200_000
_IN_CHUNK = 500


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


class _Writer:
    """Bulk INSERT / upsert / DELETE of one table, compiled once per dialect.

    Values go through each column's bind processing, but statements run as plain
    driver SQL: SQLAlchemy's per-row parameter handling would otherwise cost more
    than everything else a catch-up does. New rows go to PostgreSQL by COPY."""

    _cache: ClassVar[dict[tuple[str, str], "_Writer"]] = {}

    def __init__(self, table: Table, dialect: Dialect) -> None:
        quote = dialect.identifier_preparer.quote
        self.many = dialect.name == "sqlite"
        mark = "?" if self.many else "%s"
        self.columns = [c.name for c in table.columns]
        self.processors = [_processor(c, dialect) for c in table.columns]
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
        self.delete_where = {
            c.name: (
                f"DELETE FROM {target} WHERE {quote(c.name)} = "  # noqa: S608
                + ("?" if self.many else "ANY(%s)"),
                _processor(c, dialect),
            )
            for c in table.columns
        }

    @classmethod
    def of(cls, table: Table, dialect: Dialect) -> "_Writer":
        key = (table.name, dialect.name)
        writer = cls._cache.get(key)
        if writer is None:
            writer = cls._cache[key] = cls(table, dialect)
        return writer

    def params(self, rows: list[Row]) -> list[tuple[Any, ...]]:
        # Column by column: far fewer Python-level steps per value than row by row.
        columns = []
        for name, process in zip(self.columns, self.processors, strict=True):
            values = [row[name] for row in rows]
            if process is not None:
                values = [None if v is None else process(v) for v in values]
            columns.append(values)
        return list(zip(*columns, strict=True))

    def insert(self, connection: Connection, rows: list[Row], *, upsert: bool) -> None:
        params = self.params(rows)
        if self.many or upsert:
            statement = self.head + self.marks + (self.on_conflict if upsert else "")
            connection.exec_driver_sql(statement, params)  # type: ignore[arg-type]
            return
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(self.copy) as copy:  # type: ignore[union-attr]
            if self.copy_types:
                copy.set_types(self.copy_types)
            for row in params:
                copy.write_row(row)

    def delete(self, connection: Connection, column: str, values: Iterable[Any]) -> None:
        statement, process = self.delete_where[column]
        wanted = [v if process is None else process(v) for v in values]
        if self.many:
            connection.exec_driver_sql(statement, [(v,) for v in wanted])  # type: ignore[arg-type]
        else:
            connection.exec_driver_sql(statement, (wanted,))


def _insert(connection: Connection, table: Table, rows: list[Row], *, upsert: bool) -> None:
    _Writer.of(table, connection.dialect).insert(connection, rows, upsert=upsert)


def _delete(connection: Connection, table: Table, column: str, values: Iterable[Any]) -> None:
    _Writer.of(table, connection.dialect).delete(connection, column, values)


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
            _insert(connection, self.table, list(self._dirty.values()), upsert=True)
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
        _delete(connection, self.table, self.partition, self._dirty)
        rows = [row for p in self._dirty for row in self._cache[p]]
        if rows:
            _insert(connection, self.table, rows, upsert=False)
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
            _insert(connection, self.table, self._new, upsert=False)
            self._new = []

    def forget(self) -> None:
        self._new = []

    def trim(self) -> None:
        """Nothing is cached."""


RowStore = KeyedRows | PartitionRows | AppendedRows
