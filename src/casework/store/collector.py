"""Pausing Python's cycle collector while records are read in bulk (long streams
rebuilt, batches of events projected): work that builds many acyclic objects."""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _CollectorPause:
    """Holds off Python's cycle collector while work like this runs, across threads.

    Rebuilding a long case, or projecting a batch of events, allocates tens of
    thousands of tracked objects (notes, ids, rows) that stay alive: the collector would
    run again and again, find no garbage, and now and then walk the whole heap (a
    15-20 ms stall measured on a 2,000-note replay; a catch-up's cached rows made every
    full collection slower still). That work makes no reference cycles, so nothing is
    lost by collecting afterwards instead."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = False

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._was_enabled:
                    gc.enable()


collector_pause = _CollectorPause()
