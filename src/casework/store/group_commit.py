"""Group commit: concurrent callers that each need a small write durable before they
go on share one transaction, instead of queueing for one commit each.

The first caller to arrive writes everything queued by then and wakes the others when
it has committed; whoever is queued meanwhile goes in the next batch. A lone caller
writes at once (no waiting for company), so one reader pays one commit and sixteen
readers pay far fewer than sixteen.
"""

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

W = TypeVar("W")


class _Waiting(Generic[W]):
    __slots__ = ("done", "error", "writes")

    def __init__(self, writes: tuple[W, ...]) -> None:
        self.writes = writes
        self.done = False
        self.error: BaseException | None = None


class GroupCommit(Generic[W]):
    def __init__(self, commit: Callable[[Sequence[W]], None]) -> None:
        self._commit = commit
        self._changed = threading.Condition()
        self._queue: list[_Waiting[W]] = []
        self._committing = False

    def write(self, *writes: W) -> None:
        """Returns once `writes` are committed (all in the same batch); raises what
        their batch's commit raised."""
        me = _Waiting(writes)
        with self._changed:
            self._queue.append(me)
            while self._committing and not me.done:
                self._changed.wait()
            if not me.done:
                batch, self._queue = self._queue, []
                self._committing = True
        if not me.done:
            error: BaseException | None = None
            try:
                self._commit([write for waiting in batch for write in waiting.writes])
            except BaseException as raised:  # every waiter must hear of it, then re-raise
                error = raised
            with self._changed:
                for waiting in batch:
                    waiting.done, waiting.error = True, error
                self._committing = False
                self._changed.notify_all()
        if me.error is not None:
            raise me.error
