"""SQLAlchemy engines for the read tables, in the same database (and PostgreSQL
schema) as the events."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

from casework.store.connection_pools import connections_kept
from casework.store.database import Database

# Connections a pool opens beyond those it keeps, closed again on their return.
OVERFLOW = 5

# Execution option asking SQLite to take the write lock at BEGIN, so a runner's batch
# and an erasure serialise instead of failing half-way with "database is locked".
WRITE_LOCK = "casework_write_lock"


@contextmanager
def changing_schema(engine: Engine) -> Iterator[Connection]:
    """A transaction that creates tables or indexes, one process at a time (several
    runners may start together)."""
    with engine.connect() as c:
        connection = c.execution_options(**{WRITE_LOCK: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(
                    "SELECT pg_advisory_xact_lock(hashtext('casework:projections:schema'))"
                )
            yield connection


def read_table_engine(database: Database) -> Engine:
    if database.backend == "sqlite":
        return _sqlite_engine(database)
    connect_args: dict[str, Any] = {"connect_timeout": 10}
    if database.schema:
        connect_args["options"] = f"-c search_path={database.schema}"
    return create_engine(
        database.sqlalchemy_url(),
        connect_args=connect_args,
        pool_size=connections_kept(),
        max_overflow=OVERFLOW,
        # The connection used last is used next: under a light load the same few are
        # used, and their prepared statements (psycopg prepares a query at its fifth
        # use on a connection) are ready for them.
        pool_use_lifo=True,
        # No ping at each checkout, a round trip at every read: a connection that died
        # with its server is found at its first statement and the read asked again
        # (`projections._on_a_live_connection`, ADR 0066).
    )


def _sqlite_engine(database: Database) -> Engine:
    engine = create_engine(
        database.sqlalchemy_url(),
        connect_args={"timeout": 30},
        pool_size=connections_kept(),
        max_overflow=OVERFLOW,
    )

    @event.listens_for(engine, "connect")
    def _manual_transactions(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own BEGIN handling cannot say IMMEDIATE; issue BEGIN ourselves.
        dbapi_connection.isolation_level = None
        # The store runs in WAL mode; NORMAL skips an fsync per commit. A power cut can
        # lose the last batches, rows and position together, and they are projected again.
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")
        # A catch-up batch writes thousands of pages: checkpoint (and fsync) the WAL
        # every ~40 MB rather than after nearly every batch.
        dbapi_connection.execute("PRAGMA wal_autocheckpoint = 10000")
        # 64 MB of page cache: index pages of large views stay in memory between batches.
        dbapi_connection.execute("PRAGMA cache_size = -65536")

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(WRITE_LOCK, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
