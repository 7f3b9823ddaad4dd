"""The drivers' errors said in an operator's words: `store_error_from` turns what
sqlite3, psycopg, SQLAlchemy, the eventsourcing library or the file system raised into
a `StoreError` that names the cause and the fix (None for anything else, which is a
bug and stays one). The store's edge (`Database.opening`, the CLI's session) calls it;
docs/troubleshooting.md lists every message."""

import errno
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING

import psycopg

from casework.store.errors import (
    DamagedStore,
    MissingSchema,
    ReadOnlyStore,
    StoreBusy,
    StoreError,
    StoreFull,
    StoreUnreachable,
)

if TYPE_CHECKING:  # the database module calls this one
    from casework.store.database import Database

RESTORE = 'restore it from a backup (docs/troubleshooting.md, "A damaged database file")'


def store_error_from(error: BaseException, database: "Database | None") -> StoreError | None:
    """The `StoreError` that says what went wrong with the store, or None when `error`
    is not about the store."""
    if isinstance(error, StoreError):
        return error
    for cause in _causes(error):
        if isinstance(cause, psycopg.Error):
            return _postgres(cause, database)
        if isinstance(cause, sqlite3.Error):
            return _sqlite(cause, database)
        if isinstance(cause, OSError) and cause.errno in _FILE_ERRORS:
            return _file(cause)
    return None


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what it wraps: the library's `__cause__`, SQLAlchemy's `orig`."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        current = (
            orig if isinstance(orig, BaseException) else current.__cause__ or current.__context__
        )


def _where(database: "Database | None") -> str:
    return database.describe() if database is not None else "the store"


def _sqlite(error: sqlite3.Error, database: "Database | None") -> StoreError | None:
    text = str(error)
    where = _where(database)
    lowered = text.lower()
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return DamagedStore(
            f"{where} is not a casework store, or the database file is damaged "
            f"(SQLite: {text}); nothing was changed: {RESTORE}. `casework verify` names "
            "the damage"
        )
    if "readonly" in lowered or "read-only" in lowered:
        return ReadOnlyStore(
            f"{where} is read-only (SQLite: {text}): this command writes to the store; run "
            "it where the database file and its directory are writable. `casework verify` "
            "checks a read-only copy"
        )
    name = getattr(error, "sqlite_errorname", "")
    if "disk is full" in lowered or "disk full" in lowered:
        return StoreFull(
            f"the disk holding {where} is full (SQLite: {text}): what this command was "
            "saving was rolled back; free some space and run it again"
        )
    if name == "SQLITE_IOERR_SHMSIZE":
        # SQLite could not make or grow the -shm file beside the database: on a full
        # disk even a read fails this way, and the database itself is sound.
        return StoreFull(
            f"the disk holding {where} is full: SQLite cannot make room for its shared-"
            f"memory file (SQLite: {text}); nothing was changed; free some space and run "
            "the command again"
        )
    if name.startswith("SQLITE_IOERR"):
        return StoreError(
            f"the disk holding {where} failed a read or write (SQLite: {text}, {name}); "
            "nothing was changed. Check the disk's free space and the system log, then run "
            "`casework verify`"
        )
    if "locked" in lowered or "busy" in lowered:
        return StoreBusy(
            f"{where} is locked by another casework process (SQLite: {text}): wait for it "
            "to finish and run the command again"
        )
    if "unable to open" in lowered:
        return ReadOnlyStore(
            f"cannot open {where} (SQLite: {text}): the file or its directory cannot be "
            "read or written by this user. Fix the permissions, or check a read-only copy "
            "with `casework verify`"
        )
    if isinstance(error, sqlite3.DatabaseError):
        return DamagedStore(f"{where} cannot be read (SQLite: {text}); {RESTORE}")
    return None


def _postgres(error: psycopg.Error, database: "Database | None") -> StoreError:
    text = str(error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    server = f"PostgreSQL at {database.host}:{database.port}" if database else "PostgreSQL"
    user = database.user if database else "?"
    dbname = database.dbname if database else "?"
    if "role" in text and "does not exist" in text:
        return StoreUnreachable(
            f"{server} has no role {user!r}: create it (`createuser {user}`) or name "
            "another user in CASEWORK_DATABASE_URL"
        )
    if "database" in text and "does not exist" in text:
        return StoreUnreachable(
            f"{server} has no database {dbname!r}: create it (`createdb {dbname}`) or name "
            "another database in CASEWORK_DATABASE_URL"
        )
    if "schema" in text and "does not exist" in text:
        schema = database.schema if database else "?"
        return MissingSchema(_missing_schema(schema, dbname))
    if "password authentication failed" in text or "no password supplied" in text:
        return StoreUnreachable(
            f"{server} refused the password of role {user!r}: correct the password in "
            "CASEWORK_DATABASE_URL (postgresql://user:password@host/db)"
        )
    if isinstance(error, psycopg.errors.InsufficientPrivilege):
        return ReadOnlyStore(
            f"{server}: role {user!r} may not do this ({first}): grant it the privilege, "
            "or run the command as the role that owns casework's tables"
        )
    if isinstance(error, psycopg.errors.DiskFull):
        return StoreFull(f"{server}: the server's disk is full ({first}); nothing was saved")
    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        return StoreUnreachable(
            f"cannot reach {server} ({_reason(first)}): start the server, or correct the "
            "host and port in CASEWORK_DATABASE_URL, then run the command again"
        )
    return StoreUnreachable(f"{server} refused the command ({first})")


def _missing_schema(schema: str, dbname: str) -> str:
    return (
        f"schema {schema!r} does not exist in database {dbname!r}: casework does not create "
        f'schemas. Create it (`CREATE SCHEMA "{schema}"`) or leave ?schema= out of '
        "CASEWORK_DATABASE_URL"
    )


def _reason(line: str) -> str:
    """The useful end of psycopg's 'connection failed: connection to server at ... failed:
    Connection refused'."""
    return line.rsplit("failed:", 1)[-1].strip() or line


_FILE_ERRORS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}


def _file(error: OSError) -> StoreError:
    name = error.filename or "a file of the store"
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreFull(
            f"cannot write {name}: the disk is full; free some space and run the command again"
        )
    return ReadOnlyStore(
        f"cannot write {name}: {error.strerror.lower() if error.strerror else error}. Run "
        "the command where the data directory is writable; `casework verify` checks a "
        "read-only copy"
    )


def missing_schema(schema: str, dbname: str) -> MissingSchema:
    return MissingSchema(_missing_schema(schema, dbname))
