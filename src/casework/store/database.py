"""Where the store lives: one URL, `CASEWORK_DATABASE_URL`, for either backend.

sqlite:///relative/path.db   sqlite:////absolute/path.db   (?mode=ro: read only)
postgresql://user[:password]@host[:port]/dbname[?schema=name]   (the schema must exist)

`check_store` says whether a store is there (and opens, and is casework's) without
creating anything; `opening` wraps the library's start-up so that the drivers' errors
reach the operator as `StoreError`s naming the cause and the fix (`failures`).
"""

import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import psycopg
from eventsourcing.utils import get_topic

from casework.store.connection_pools import connections_kept
from casework.store.connection_retries import CONNECT_TIMEOUT
from casework.store.errors import DamagedStore, NoStore, StoreError
from casework.store.failures import missing_schema, store_error_from
from casework.store.file_modes import prepare_sqlite_file
from casework.store.recorders import CaseworkPostgresFactory, CaseworkSQLiteFactory
from casework.store.sql import Dialect

APPLICATION_NAME = "casework"  # pinned: PostgreSQL table names derive from it


@dataclass(frozen=True)
class Database:
    url: str
    backend: str  # "sqlite" or "postgres"
    sqlite_path: Path | None = None
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = ""
    dbname: str = ""
    schema: str = ""
    read_only: bool = False  # SQLite: opened read-only (`?mode=ro`), nothing written

    @classmethod
    def from_url(cls, url: str) -> "Database":
        parts = urlsplit(url)
        scheme = parts.scheme.split("+")[0]
        if scheme == "sqlite":
            rest, _, query = url.partition(":///")[2].partition("?")
            path = unquote(rest)
            if not path:
                raise StoreError(
                    f"CASEWORK_DATABASE_URL {url!r}: sqlite URLs look like sqlite:///path/to/casework.db"
                )
            read_only = parse_qs(query).get("mode", [""])[0] == "ro"
            return cls(url=url, backend="sqlite", sqlite_path=Path(path), read_only=read_only)
        if scheme in ("postgresql", "postgres"):
            schema = parse_qs(parts.query).get("schema", [""])[0]
            dbname = parts.path.lstrip("/")
            if not dbname:
                raise StoreError(
                    f"CASEWORK_DATABASE_URL {url!r}: name the database, e.g. postgresql://user@host:5432/casework"
                )
            return cls(
                url=url,
                backend="postgres",
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 5432,
                user=unquote(parts.username or "postgres"),
                password=unquote(parts.password or ""),
                dbname=dbname,
                schema=schema,
            )
        raise StoreError(
            f"CASEWORK_DATABASE_URL {url!r}: unsupported scheme {parts.scheme!r}; "
            "use sqlite:///path or postgresql://user@host/db"
        )

    def read_only_url(self) -> str:
        """The same store opened read-only (SQLite; a PostgreSQL URL is returned as is)."""
        if self.backend != "sqlite" or self.read_only:
            return self.url
        return f"sqlite:///{quote(str(self.sqlite_path))}?mode=ro"

    def writable(self) -> bool:
        """Whether this user may write the SQLite file and its directory (a read-only copy
        may not); PostgreSQL decides per statement."""
        if self.sqlite_path is None:
            return True
        path = self.sqlite_path
        return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)

    def describe(self) -> str:
        """Where the store is, in an operator's words (no password)."""
        if self.backend == "sqlite":
            return str(self.sqlite_path)
        schema = f", schema {self.schema!r}" if self.schema else ""
        return f"PostgreSQL database {self.dbname!r} at {self.host}:{self.port}{schema}"

    @contextmanager
    def opening(self) -> Iterator[None]:
        """Around the library's start-up (tables, triggers): the schema lock, and every
        driver error turned into a `StoreError` naming the cause and the fix."""
        try:
            with self.schema_lock():
                yield
        except Exception as error:
            translated = store_error_from(error, self)
            if translated is None or translated is error:
                raise
            raise translated from error

    def check_store(self) -> None:
        """Raise `NoStore` when there is no casework store here, and `DamagedStore`,
        `MissingSchema` or `StoreUnreachable` when there is one that cannot be opened.
        Creates nothing: a store is made only by `casework keys init` or `casework demo`."""
        try:
            if self.backend == "sqlite":
                self._check_sqlite_store()
            else:
                self._check_postgres_store()
        except StoreError:
            raise
        except Exception as error:
            translated = store_error_from(error, self)
            if translated is None:
                raise
            raise translated from error

    def sealed_fingerprints(self) -> set[str]:
        """Fingerprints of the master keys this store's live data keys are wrapped under
        (read without any key; empty for a store that seals nothing yet)."""
        statement = "SELECT DISTINCT kek_fingerprint FROM {table} WHERE wrapped_key IS NOT NULL"
        if self.backend == "sqlite":
            with closing(self._sqlite_read_only()) as conn:
                if not self._sqlite_has_table(conn, "casework_data_keys"):
                    return set()
                rows = conn.execute(statement.format(table="casework_data_keys")).fetchall()
        else:
            with psycopg.connect(self.psycopg_conninfo(), autocommit=True) as conn:
                table = f'"{self.schema or "public"}".casework_data_keys'
                found = conn.execute("SELECT to_regclass(%s)", [table]).fetchone()
                if found is None or found[0] is None:
                    return set()
                rows = conn.execute(statement.format(table=table)).fetchall()  # type: ignore[call-overload]
        return {r[0] for r in rows if r[0]}

    def damage(self) -> list[str]:
        """What SQLite's own check finds wrong with the database file (empty: sound).
        PostgreSQL keeps its own pages checked; nothing is reported there."""
        if self.backend != "sqlite":
            return []
        try:
            with closing(self._sqlite_read_only()) as conn:
                rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        except sqlite3.DatabaseError as error:
            return [str(error)]
        return [] if rows == ["ok"] else rows

    def _check_sqlite_store(self) -> None:
        path = self.sqlite_path
        assert path is not None
        if not path.exists():
            raise NoStore(
                f"no casework store at {path}; create one with `casework keys init` (or "
                "`casework demo` for the demo centre), or point CASEWORK_DATA_DIR or "
                "CASEWORK_DATABASE_URL at an existing store"
            )
        if not path.is_file():
            raise DamagedStore(f"{path} is not a casework store: it is not a file")
        self._check_sqlite_header(path)
        with closing(self._sqlite_read_only()) as conn:
            if not self._sqlite_has_table(conn, "stored_events"):
                raise DamagedStore(
                    f"{path} is an SQLite database but not a casework store (it has no "
                    "stored_events table): point CASEWORK_DATA_DIR or CASEWORK_DATABASE_URL "
                    "at the store, or create a new one in an empty directory with "
                    "`casework keys init`"
                )

    @staticmethod
    def _check_sqlite_header(path: Path) -> None:
        """A truncated or overwritten file is told apart before SQLite reads garbage."""
        size = path.stat().st_size
        with path.open("rb") as f:
            header = f.read(100)
        if size == 0:
            raise DamagedStore(
                f"{path} is empty, not a casework store: if it held one, the file was "
                "truncated; restore it from a backup"
            )
        if not header.startswith(b"SQLite format 3\x00") or len(header) < 100:
            raise DamagedStore(
                f"{path} is not a casework store: it is not an SQLite database file "
                "(overwritten or damaged); restore it from a backup"
            )
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages = int.from_bytes(header[28:32], "big")
        # The page count is valid when the change counter matches the version-valid-for,
        # and the file holds them all unless some are still in the write-ahead log (a
        # checkpoint cut short, e.g. by a full disk, leaves them there, and SQLite reads
        # them from it).
        wal = path.with_name(path.name + "-wal")
        pages_in_wal = wal.exists() and wal.stat().st_size > 0
        if header[24:28] == header[92:96] and size < page_size * pages and not pages_in_wal:
            raise DamagedStore(
                f"the database file {path} is damaged: it is {size:,} bytes but holds "
                f"{page_size * pages:,} (truncated); restore it from a backup"
            )

    def _sqlite_read_only(self) -> sqlite3.Connection:
        """A read-only connection; `immutable` where nothing may be written beside the
        file (a read-only directory or copy), so no -shm or -wal file is needed or left."""
        return sqlite3.connect(self._sqlite_read_only_uri(), uri=True)

    def _sqlite_read_only_uri(self) -> str:
        assert self.sqlite_path is not None
        mode = "mode=ro" if self.writable() else "immutable=1"
        return f"file:{quote(str(self.sqlite_path.resolve()))}?{mode}"

    @staticmethod
    def _sqlite_has_table(conn: sqlite3.Connection, name: str) -> bool:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return conn.execute(query, [name]).fetchone() is not None

    def _check_postgres_store(self) -> None:
        with psycopg.connect(self.psycopg_conninfo(), autocommit=True) as conn:
            schema = self.schema or "public"
            if self.schema:
                found = conn.execute(
                    "SELECT 1 FROM pg_namespace WHERE nspname = %s", [self.schema]
                ).fetchone()
                if found is None:
                    raise missing_schema(self.schema, self.dbname)
            table = conn.execute(
                "SELECT to_regclass(%s)", [f'"{schema}".{self.events_table}']
            ).fetchone()
        if table is None or table[0] is None:
            raise NoStore(
                f"no casework store in {self.describe()}; create one with `casework keys "
                "init` (or `casework demo` for the demo centre), or point "
                "CASEWORK_DATABASE_URL at an existing store"
            )

    @property
    def dialect(self) -> Dialect:
        return Dialect(self.backend, self.schema)

    @property
    def events_table(self) -> str:
        return "stored_events" if self.backend == "sqlite" else f"{APPLICATION_NAME}_events"

    @property
    def snapshots_table(self) -> str:
        return "stored_snapshots" if self.backend == "sqlite" else f"{APPLICATION_NAME}_snapshots"

    def eventsourcing_env(self) -> dict[str, str]:
        """Settings for the eventsourcing library's persistence modules."""
        if self.backend == "sqlite":
            assert self.sqlite_path is not None
            if self.read_only:
                dbname = self._sqlite_read_only_uri()
            else:
                # Library callers (tests, scripts) get their directory made; the command
                # line checks first (`check_store`) so that nothing is made by accident.
                prepare_sqlite_file(self.sqlite_path)  # 0700 directory, 0600 files
                dbname = str(self.sqlite_path)
            return {
                "PERSISTENCE_MODULE": get_topic(CaseworkSQLiteFactory),
                "SQLITE_DBNAME": dbname,
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        env = {
            "PERSISTENCE_MODULE": get_topic(CaseworkPostgresFactory),
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            # The library requires a password setting even under trust authentication.
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_LOCK_TIMEOUT": "10",
            # A request waits this long for a connection, not the library's 30 s.
            "POSTGRES_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
            # The library's pool opens 5 and up to 15; up to as many as the process
            # uses at once if that is more (`connection_pools`). It keeps what it opened
            # until it has been idle for 10 minutes, so these are not opened anew.
            "POSTGRES_MAX_OVERFLOW": str(max(connections_kept(), 15) - 5),
        }
        if self.schema:
            env["POSTGRES_SCHEMA"] = self.schema
        return env

    @contextmanager
    def exclusive(self, name: str, on_wait: Callable[[], None]) -> Iterator[None]:
        """Hold the store-wide lock `name` (e.g. "demo") for the block: a PostgreSQL
        advisory lock, or an flock on a file beside the SQLite database. Both end with
        the process, so a killed holder never leaves it held. `on_wait` is called once
        when another process holds it and this one waits."""
        if self.backend == "postgres":
            with psycopg.connect(self.psycopg_conninfo(), autocommit=True) as conn:
                key = f"casework {name} {self.schema}"
                got = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key]).fetchone()
                if not (got and got[0]):
                    on_wait()
                    conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [key])
                try:
                    yield
                finally:
                    conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])
            return
        assert self.sqlite_path is not None
        lock_path = self.sqlite_path.with_name(f"{self.sqlite_path.name}.{name}.lock")
        with lock_path.open("a") as lock_file:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                on_wait()
                fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    @contextmanager
    def schema_lock(self) -> Iterator[None]:
        """Serialise creating tables and triggers: several processes starting at once on
        one PostgreSQL database would otherwise deadlock on each other's DDL."""
        if self.backend != "postgres":
            yield
            return
        with psycopg.connect(self.psycopg_conninfo(), autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext('casework schema'))")
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext('casework schema'))")

    def psycopg_conninfo(self) -> str:
        return psycopg.conninfo.make_conninfo(
            host=self.host,
            port=self.port,
            user=self.user,
            dbname=self.dbname,
            **({"password": self.password} if self.password else {}),
        )

    def sqlalchemy_url(self) -> str:
        """The same database for SQLAlchemy (read models live beside the events)."""
        if self.backend == "sqlite":
            if self.read_only:
                return f"sqlite:///{self._sqlite_read_only_uri()}&uri=true"
            return f"sqlite:///{self.sqlite_path}"
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{self.dbname}"
