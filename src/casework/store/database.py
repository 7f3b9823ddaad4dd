"""Where the store lives: one URL, `CASEWORK_DATABASE_URL`, for either backend.

sqlite:///relative/path.db   sqlite:////absolute/path.db
postgresql://user[:password]@host[:port]/dbname[?schema=name]
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
from eventsourcing.utils import get_topic

from casework.store.errors import StoreError
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

    @classmethod
    def from_url(cls, url: str) -> "Database":
        parts = urlsplit(url)
        scheme = parts.scheme.split("+")[0]
        if scheme == "sqlite":
            path = unquote(url.split(":///", 1)[1]) if ":///" in url else ""
            if not path:
                raise StoreError(
                    f"CASEWORK_DATABASE_URL {url!r}: sqlite URLs look like sqlite:///path/to/casework.db"
                )
            return cls(url=url, backend="sqlite", sqlite_path=Path(path))
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
            prepare_sqlite_file(self.sqlite_path)  # 0700 directory, 0600 files
            return {
                "PERSISTENCE_MODULE": get_topic(CaseworkSQLiteFactory),
                "SQLITE_DBNAME": str(self.sqlite_path),
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
        }
        if self.schema:
            env["POSTGRES_SCHEMA"] = self.schema
        return env

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
            return f"sqlite:///{self.sqlite_path}"
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{self.dbname}"
