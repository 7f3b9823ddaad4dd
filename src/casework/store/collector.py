"""Pausing Python's cycle collector while records are read in bulk (long streams
rebuilt, batches of events projected): work that builds many acyclic objects; and
keeping a process's long-lived objects out of its full collections."""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache


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


@cache  # once a process: what is alive when its first store opens lives as long as it
def freeze_long_lived() -> None:
    """Move every object alive now (modules, classes, the opened application's
    machinery: ~80,000 once a store is open) out of the cycle collector's sight. They
    stay for the life of the process, yet every full collection walked them all: 20-25
    ms of CPU (up to 300 ms on a loaded machine) landing inside whichever replay or
    page triggered it, about one replay of a long case in a hundred. Garbage is
    collected first, so none is frozen; a frozen object still goes when nothing refers
    to it, unless it is part of a reference cycle (at most the first application a
    process opens, as tests do)."""
    gc.collect()
    gc.freeze()
