"""What every view is: some tables in one generation, and handlers that turn events
into rows of them."""

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateTable

from casework.projections.machinery.generations import view_table
from casework.projections.machinery.row_cache import (
    AppendedRows,
    KeyedRows,
    PartitionRows,
    RowStore,
    Write,
)


@dataclass(slots=True)
class Item:
    """One event from the log, with its log position and the case it belongs to
    (the case whose key sealed it; None for organisation records)."""

    position: int
    event: Any
    case_id: UUID | None


Handler = Callable[[Item], None]


class View(ABC):
    # Stored (in `cwv_generations`, table names and leadership locks) and typed (as
    # `casework projections rebuild NAME`): renaming a class must leave it unchanged.
    name: ClassVar[str]
    title: ClassVar[str]
    # Raise when handlers change meaning without the tables changing: either makes
    # the serving generation outdated, and runners rebuild it beside the old one.
    version: ClassVar[int] = 1

    def __init__(self, generation: int) -> None:
        self.generation = generation
        # Read through tables an older definition built (a rebuild is under way): a
        # read leaves out what those tables lack.
        self.outdated = False
        self.tables: list[Table] = []
        self.stores: list[RowStore] = []
        self._statements: dict[Hashable, Any] = {}
        self.define()
        self.handlers: dict[type, Handler] = self.handles()

    @abstractmethod
    def define(self) -> None:
        """Create the view's tables and row stores (with `table`, `keyed`, ...)."""

    @abstractmethod
    def handles(self) -> dict[type, Handler]:
        """Which event classes this view reads, and the handler of each."""

    def table(self, name: str, *columns: Any, **options: Any) -> Table:
        table = view_table(self.name, name, self.generation, *columns, **options)
        self.tables.append(table)
        return table

    def keyed(self, table: Table) -> KeyedRows:
        store = KeyedRows(table)
        self.stores.append(store)
        return store

    def partitioned(self, table: Table, partition: str) -> PartitionRows:
        store = PartitionRows(table, partition)
        self.stores.append(store)
        return store

    def appended(self, table: Table) -> AppendedRows:
        store = AppendedRows(table)
        self.stores.append(store)
        return store

    def statement(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """A read statement built once per view object (one per serving generation)
        and run with its values bound: building one anew on every read cost more CPU
        than running it (the caseload: 76 coercions and five cache keys a request)."""
        found = self._statements.get(key)
        if found is None:
            found = self._statements[key] = build()
        return found

    @classmethod
    def definition(cls) -> str:
        """A fingerprint of the tables and the handlers' version."""
        probe = cls(0)
        ddl = "".join(
            str(CreateTable(t).compile(dialect=postgresql.dialect())) for t in probe.tables
        )
        return hashlib.sha256(f"{cls.version}:{ddl}".encode()).hexdigest()[:16]

    def create_tables(self, connection: Connection) -> None:
        """The tables, without their secondary indexes: a generation starts empty and
        catches up from the start of the log, and building an index once at the end
        (`create_indexes`) costs far less than keeping it up to date row by row."""
        for table in self.tables:
            connection.execute(CreateTable(table, if_not_exists=True))

    def create_indexes(self, connection: Connection) -> None:
        for table in self.tables:
            for index in table.indexes:
                index.create(connection, checkfirst=True)

    def open_writer(self, connection: Connection) -> None:
        """Ready a connection that will write this view's batches."""
        for store in self.stores:
            store.open_writer(connection)

    def begin(self, connection: Connection) -> None:
        """Start a batch: rows not cached yet are read through `connection`."""
        for store in self.stores:
            store.trim()
            store.connection = connection

    def prepare(self, items: list[Item], new: Collection[UUID]) -> None:  # noqa: B027 - optional
        """Read in bulk the rows a batch will touch (optional, for speed). `new` holds
        the records born in this batch (their first event is in it): no rows yet."""

    def apply_all(self, items: Iterable[Item]) -> None:
        handlers = self.handlers
        for item in items:
            handler = handlers.get(type(item.event))
            if handler is not None:
                handler(item)

    def take(self, dialect: Dialect) -> list[Write]:
        """End a batch: the statements that write what it changed, values fixed now."""
        writes = []
        for store in self.stores:
            writes += store.take(dialect)
            store.connection = None
        return writes

    def forget(self) -> None:
        for store in self.stores:
            store.forget()
            store.connection = None

    def case_tables(self) -> list[Table]:
        """Tables with rows of one case each (cleared when the case is erased)."""
        return [t for t in self.tables if "case_id" in t.c]
