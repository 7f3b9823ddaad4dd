"""Who may read casework's files: the data directory is its owner's alone (0700), and
the database, its WAL and shared-memory files, export bundles and checkpoints are
written readable by the owner only (0600). The ledger signing key is refused when
others can read it, like the master key, and a signing key kept beside the database
is warned about: whoever copies the database directory should not get the key that
could re-sign a rewritten history with it.
"""

import os
from pathlib import Path

from casework.store.errors import StoreError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


class KeyFileExposed(StoreError):  # noqa: N818 - it names what was found
    """A key file that users other than its owner can read."""


def private_dir(path: Path) -> None:
    """Create `path` (and its parents) and make it the owner's alone."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIR)


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path`, readable by its owner only from the first byte (an
    existing file is truncated and narrowed to 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), PRIVATE_FILE)
        f.write(data)


def prepare_sqlite_file(path: Path) -> None:
    """Before SQLite opens `path`: its directory is private, and the database file is
    created 0600 (SQLite gives its WAL and shared-memory files the database file's
    mode), and an existing file and its companions are narrowed to 0600."""
    private_dir(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    for suffix in _SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists() and companion.stat().st_mode & 0o077:
            os.chmod(companion, PRIVATE_FILE)


def refuse_exposed_key(path: Path, what: str) -> None:
    """Refuse a key file that its group or other users can read or write."""
    if path.stat().st_mode & 0o077:
        raise KeyFileExposed(f"{what} {path} is readable by other users; run `chmod 600 {path}`")


def signing_key_placement_warnings(signing_key: Path, database_file: Path | None) -> list[str]:
    """Warnings when the signing key sits where the database is (its directory or one
    below it): a copy of the data directory would carry the key that re-signs it."""
    if database_file is None or not signing_key.exists():
        return []
    data_dir = database_file.resolve().parent
    key = signing_key.resolve()
    if key.parent == data_dir or data_dir in key.parents:
        return [
            f"warning: the ledger signing key {signing_key} lives beside the database "
            f"({data_dir}): whoever gets the data directory can re-sign a rewritten log. "
            "Keep it on another machine or volume (CASEWORK_SIGNING_KEY_FILE) and leave "
            "only the .pub here (docs/ledger.md)"
        ]
    return []
