"""The ledger's memory outside the database: a state file in the key directory holding
the last checkpoint signed for the store, and how the ledger began.

Whoever controls the database alone can delete the newest events together with their
leaves and checkpoints, or every ledger row; inside the database the remains still
agree. The state file is where the database's owner cannot reach (beside the master
key): every checkpoint advances it, it never goes backwards, and both `checkpoint` and
`verify` hold the ledger against it.

How the ledger began is recorded once:
- `genesis`: the store's first event was written by casework with no ledger and no
  state file before it, so the first checkpoint covers the log from its very start;
- `bootstrap`: an operator covered a log that already held events, explicitly
  (`casework ledger bootstrap --reason ...`), with the reason and the number of events;
- `adopted`: the state file was first written over a ledger that already had
  checkpoints (a store from before state files): from then on rollbacks are caught.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import msgspec

from casework.store.errors import StoreError
from casework.store.ledger import Checkpoint, Ledger, require_utc

STATE_FILE_NAME = "ledger-state.json"


class LedgerRolledBack(StoreError):  # noqa: N818 - it names what was found
    """The ledger in the database is behind the checkpoint the state file remembers."""


class BootstrapRequired(StoreError):  # noqa: N818 - it names what is needed
    """A first checkpoint over a log that already holds events needs an explicit bootstrap."""


class Began(StrEnum):
    GENESIS = "genesis"
    BOOTSTRAP = "bootstrap"
    ADOPTED = "adopted"


class LedgerState(msgspec.Struct, kw_only=True):
    began: Began
    began_at: datetime
    events_at_start: int = 0  # events already in the log when it began (a bootstrap)
    reason: str = ""  # why a bootstrap was taken
    checkpoint: Checkpoint | None = None

    def __post_init__(self) -> None:
        require_utc(self.began_at, "began_at")

    def describe_beginning(self) -> str:
        when = f"{self.began_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        if self.began is Began.BOOTSTRAP:
            return (
                f"the ledger began with an explicit bootstrap on {when} over "
                f"{self.events_at_start} events already stored: {self.reason}"
            )
        if self.began is Began.ADOPTED:
            return (
                f"the state file was started on {when} over a ledger that already had "
                "checkpoints: rollbacks before then are not covered"
            )
        return f"the ledger began with the store's first event ({when})"


class LedgerStateFile:
    """Reads and advances the state file; safe across processes (an exclusive lock
    around every change, and each write an atomic replace of a 0600 file)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> LedgerState | None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StoreError(f"cannot read the ledger state file {self.path}: {error}") from None
        try:
            return msgspec.json.decode(data, type=LedgerState)
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            raise StoreError(
                f"the ledger state file {self.path} is not readable ({error}): restore it "
                "from its copy; never delete it to make a checkpoint pass"
            ) from None

    def begin(
        self, began: Began, at: datetime, events_at_start: int = 0, reason: str = ""
    ) -> LedgerState:
        """Record how the ledger began, unless the file already says so."""
        with self._locked():
            current = self.read()
            if current is not None:
                return current
            state = LedgerState(
                began=began, began_at=at, events_at_start=events_at_start, reason=reason
            )
            self._write(state)
            return state

    def advance(self, checkpoint: Checkpoint, began: LedgerState) -> None:
        """Remember `checkpoint` if it is newer than the one remembered (processes race
        to sign; the file keeps the newest). Two different checkpoints with the same
        number mean two histories: refused."""
        with self._locked():
            current = self.read() or began
            known = current.checkpoint
            if known is not None and known.seq >= checkpoint.seq:
                if known.seq == checkpoint.seq and known != checkpoint:
                    raise LedgerRolledBack(
                        f"the state file {self.path} holds another {known.describe()} "
                        f"(root {known.root_hash}) than the one just signed: two histories"
                    )
                return
            self._write(msgspec.structs.replace(current, checkpoint=checkpoint))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _write(self, state: LedgerState) -> None:
        staged = self.path.with_name(self.path.name + ".new")
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(msgspec.json.format(msgspec.json.encode(state)) + b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(staged, self.path)


def refuse_rollback(state: LedgerState | None, latest: Checkpoint | None, where: Path) -> None:
    """Raise if the database's latest checkpoint is behind, or other than, the one the
    state file remembers: the ledger was cut back, wiped or restored from a copy."""
    known = state.checkpoint if state is not None else None
    if known is None:
        return
    if latest is None or latest.seq < known.seq or latest.tree_size < known.tree_size:
        found = latest.describe() if latest is not None else "no checkpoint at all"
        raise LedgerRolledBack(
            f"the ledger was rolled back: the state file {where} remembers {known.describe()} "
            f"but the database holds {found}. Nothing was signed; run `casework verify`"
        )
    if latest.seq == known.seq and latest != known:
        raise LedgerRolledBack(
            f"the database's {latest.describe()} is not the one the state file {where} "
            "remembers: the checkpoint table was replaced. Nothing was signed; run "
            "`casework verify`"
        )


def note_genesis(state_file: LedgerStateFile, ledger: Ledger, first_stored: int) -> bool:
    """After events were stored (the first of them at notification id `first_stored`):
    when there is no state file yet, no checkpoint, and nothing before them in the log,
    record that the log began here. Returns whether the state file exists now, so a
    caller asks once per process."""
    if state_file.exists():
        return True
    if ledger.latest() is not None or ledger.any_event_before(first_stored):
        return False  # an older log or ledger: its first checkpoint says how it began
    state_file.begin(Began.GENESIS, datetime.now(UTC))
    return True
