"""What a server process runs beside the requests, each in a thread of its own: the
views (`ViewRunner`), and the ledger's checkpoints (`CheckpointSigner`).

The views are kept fresh by `Projections.run`: each view by one of the worker
processes (the projections' leadership), or on SQLite by the process `casework serve`
starts beside its workers (ADR 0064).

Checkpoints are signed every minute while writes arrive, by one worker process at a
time, and once more at shutdown for what this process wrote.

The signer is whoever holds the lock of its key (the projections' `leadership_for`):
on PostgreSQL an advisory lock, on SQLite an flock beside the database file (several
workers serve one file, ADR 0065). If that worker dies, its lock goes with it and
another worker signs from its next tick.
"""

import logging
import threading

from casework.application import Casework
from casework.application.checkpoints import CHECKPOINT_EVERY, PendingCheckpoints
from casework.projections import Projections
from casework.projections.machinery.leadership import Leadership, leadership_for

logger = logging.getLogger("api")
SIGNER_KEY = "ledger-checkpoints"


class ViewRunner:
    def __init__(self, projections: Projections) -> None:
        self.projections = projections
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="views", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        self.projections.run(self.stop, on_error=self._failed)

    @staticmethod
    def _failed(error: Exception) -> None:
        logger.error("a view failed to catch up; it is retried", exc_info=error)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


class CheckpointSigner:
    def __init__(
        self, casework: Casework, pending: PendingCheckpoints, every: float = CHECKPOINT_EVERY
    ) -> None:
        self.casework = casework
        self.pending = pending
        self.every = every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="ledger-checkpoints", daemon=True)
        self.leadership: Leadership | None = None

    def start(self) -> None:
        self.thread.start()

    def _sign(self) -> None:
        try:
            self.casework.checkpoint()
        except Exception:  # a background thread: say it, keep serving
            logger.exception("ledger checkpoint failed; events since the last one are uncovered")

    def _leads(self) -> bool:
        try:
            if self.leadership is None or not self.leadership.still_connected():
                if self.leadership is not None:
                    self.leadership.close()
                self.leadership = leadership_for(self.casework.database, "casework_checkpoints")
            return self.leadership.try_lead(SIGNER_KEY)
        except Exception:
            logger.exception("could not ask who signs ledger checkpoints")
            self.leadership = None
            return False

    def _run(self) -> None:
        while not self.stop.wait(self.every):
            if self._leads():
                self._sign()

    def close(self) -> None:
        """Stop ticking; sign what this process wrote since the last checkpoint."""
        self.stop.set()
        self.thread.join(timeout=30)
        if self.pending.database_urls:
            self._sign()
        if self.leadership is not None:
            self.leadership.close()
