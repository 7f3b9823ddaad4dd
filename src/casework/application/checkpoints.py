"""When the ledger's checkpoints are signed: on exit, for every store a command (or a
server) wrote to since its last checkpoint (`PendingCheckpoints`), and every minute
while a long-running writer is up (`keep_checkpointing`)."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from casework.settings import Settings
from casework.store.errors import StoreError
from casework.store.failures import store_error_from
from casework.store.master_key import MasterKey

logger = logging.getLogger(__name__)

# How often a long-running writer signs a checkpoint while events arrive (seconds): the
# longest an event stays uncovered by the ledger.
CHECKPOINT_EVERY = 60.0


class Checkpointing(Protocol):
    """An application that can sign a checkpoint of its store and be closed."""

    def checkpoint(self) -> object: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class _Written:
    settings: Settings
    master_key: MasterKey
    open_store: Callable[[Settings, MasterKey], Checkpointing]


class PendingCheckpoints:
    """The stores written since their last checkpoint, and a checkpoint signed for each
    when the owner is done.

    The command line makes one per command and calls `sign_all` before it exits, so
    every command that wrote events leaves them covered by a signed checkpoint. A server
    owns one for its lifetime and signs at shutdown. An application given one
    (`Casework(..., pending_checkpoints=...)`) notes each save that stored events in it
    and crosses its store off whenever it signs a checkpoint. Safe to share between
    threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._written: dict[str, _Written] = {}

    def wrote(
        self,
        settings: Settings,
        master_key: MasterKey,
        open_store: Callable[[Settings, MasterKey], Checkpointing],
    ) -> None:
        """Events were stored in `settings`' store; `open_store` opens it to sign."""
        with self._lock:
            self._written[settings.database_url] = _Written(settings, master_key, open_store)

    def signed(self, settings: Settings) -> None:
        """A checkpoint covering everything in `settings`' store was just signed."""
        with self._lock:
            self._written.pop(settings.database_url, None)

    @property
    def database_urls(self) -> list[str]:
        with self._lock:
            return list(self._written)

    def sign_all(self) -> list[str]:
        """Sign a checkpoint of every store written since its last one; returns warnings
        for stores that could not be (for example: no signing key)."""
        with self._lock:
            written = list(self._written.values())
            self._written.clear()
        warnings = []
        for store in written:
            try:
                app = store.open_store(store.settings, store.master_key)
                try:
                    app.checkpoint()
                finally:
                    app.close()
            except Exception as error:
                # The driver's own error (a full disk, a lost connection) in its words.
                said = store_error_from(error, None)
                if said is None:
                    raise
                warnings.append(f"the events just written are not covered by a checkpoint: {said}")
        return warnings


def keep_checkpointing(
    app: Checkpointing, stop: threading.Event, every: float = CHECKPOINT_EVERY
) -> None:
    """For a long-running writer (the HTTP server), in a thread of its own: sign a
    checkpoint every `every` seconds while events arrive (an idle tick costs one query),
    and a last one when `stop` is set."""
    while True:
        stopping = stop.wait(every)
        try:
            app.checkpoint()
        except StoreError:
            logger.exception("ledger checkpoint failed; events since the last one are uncovered")
        if stopping:
            return
