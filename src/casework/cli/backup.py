"""`casework backup --to PATH`: an online backup of a SQLite store into one new file
(mode 0600), taken while the store keeps serving, never a copy of the live file and its
WAL. PostgreSQL stores are backed up with `pg_dump -Fc` (docs/backup-and-restore.md).

The key directory is not in the backup: the master key and the signing key are backed
up separately, never beside the database. The ledger state file (public: the last
signed checkpoint) is copied beside the backup as `PATH.ledger-state.json`, read before
the database is, so the backup always extends the checkpoint it remembers."""

import argparse
import os
import sqlite3
from pathlib import Path
from typing import NamedTuple

from casework.settings import Settings
from casework.store.database import Database
from casework.store.errors import StoreError
from casework.store.ledger import CHECKPOINTS_TABLE
from casework.store.ledger_state import STATE_FILE_NAME

STATE_SUFFIX = ".ledger-state.json"


class BackupTaken(NamedTuple):
    path: Path
    events: int
    latest_checkpoint: tuple[int, int, str] | None  # seq, tree size, root hash
    state_copy: Path | None


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    backup = commands.add_parser(
        "backup",
        help="online backup of a SQLite store into a new file",
        description="Copy the SQLite store into PATH (a new file, mode 0600) with SQLite's "
        "online backup, while casework keeps running: one consistent snapshot, never the "
        "live file and its WAL copied by hand. The key directory's ledger state file is "
        "copied to PATH.ledger-state.json. Keys are not copied: back up the key directory "
        "separately. PostgreSQL: use `pg_dump -Fc` (docs/backup-and-restore.md).",
    )
    backup.add_argument("--to", type=Path, required=True, metavar="PATH", help="the new file")
    backup.set_defaults(run=run_backup)


def run_backup(args: argparse.Namespace) -> int:
    taken = back_up(Settings.from_env(), args.to)
    print(f"backed up {taken.events} events into {taken.path}")
    if taken.latest_checkpoint is None:
        print("the backup holds no signed checkpoint: take one (`casework ledger checkpoint`)")
    else:
        seq, size, root = taken.latest_checkpoint
        print(f"its latest checkpoint: {seq} ({size} events, root {root})")
        if size < taken.events:
            print(
                f"{taken.events - size} events are newer than that checkpoint: they are "
                "covered by the next one, which this backup does not hold"
            )
    if taken.state_copy is not None:
        print(f"copied the ledger state file to {taken.state_copy}")
    print(
        "Back up the key directory (master key, signing key) separately; never store it "
        "beside this file."
    )
    return 0


def back_up(settings: Settings, target: Path) -> BackupTaken:
    """The online backup itself (see the module's docstring)."""
    database = Database.from_url(settings.database_url)
    if database.backend != "sqlite" or database.sqlite_path is None:
        raise StoreError(
            f"{database.describe()} is a PostgreSQL store: back it up with `pg_dump -Fc -n "
            "<schema>` and restore it with `pg_restore` (docs/backup-and-restore.md)"
        )
    database.check_store()
    os.close(_new_private_file(target))  # 0600 before SQLite writes a byte; never over a file
    state_copy = None
    try:
        state_copy = _copy_state_file(settings.key_dir / STATE_FILE_NAME, target)
        _online_backup(database.sqlite_path, target)
    except BaseException:
        target.unlink(missing_ok=True)  # only what this backup created
        if state_copy is not None:
            state_copy.unlink(missing_ok=True)
        raise
    events, latest = _contents(target, database.events_table)
    return BackupTaken(target, events, latest, state_copy)


def _new_private_file(path: Path) -> int:
    if not path.parent.is_dir():
        raise StoreError(f"cannot back up into {path}: the directory {path.parent} does not exist")
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise StoreError(f"{path} already exists: a backup never overwrites a file") from None


def _copy_state_file(state_file: Path, target: Path) -> Path | None:
    """Read before the database: the backup then holds the checkpoint it remembers."""
    try:
        state = state_file.read_bytes()
    except FileNotFoundError:
        return None
    copy = target.with_name(target.name + STATE_SUFFIX)
    fd = _new_private_file(copy)
    with os.fdopen(fd, "wb") as f:
        f.write(state)
    return copy


def _online_backup(source_path: Path, target: Path) -> None:
    source = sqlite3.connect(f"file:{source_path.resolve()}?mode=ro", uri=True, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            # One step (pages=-1): the whole database as of one read transaction, while
            # writers go on committing to the WAL.
            source.backup(copy)
            # A self-contained file: no WAL beside it to lose or to copy.
            copy.execute("PRAGMA journal_mode=DELETE")
            (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise StoreError(f"the backup in {target} failed SQLite's integrity check")
        finally:
            copy.close()
    finally:
        source.close()


def _contents(path: Path, events_table: str) -> tuple[int, tuple[int, int, str] | None]:
    with sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True) as conn:
        (events,) = conn.execute(f"SELECT COUNT(*) FROM {events_table}").fetchone()  # noqa: S608 - our own table
        ledger = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (CHECKPOINTS_TABLE,)
        ).fetchone()
        row = (
            ledger
            and conn.execute(
                f"SELECT seq, tree_size, root_hash FROM {CHECKPOINTS_TABLE} "  # noqa: S608 - our own table
                "ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        )
    return int(events), (int(row[0]), int(row[1]), str(row[2])) if row else None
