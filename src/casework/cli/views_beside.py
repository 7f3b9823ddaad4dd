"""The views kept fresh in a process of their own beside a SQLite server (ADR 0064).

One SQLite server process answers every request under one GIL. Every read records
an access, and every access record is an event for the views, so a runner in a
thread of that process takes the GIL and the write lock as often as reads arrive.
A `casework projections run` process beside it does the same work on another core.
It is still the one runner that a SQLite file allows.

`casework serve` starts that process (unless `CASEWORK_API_RUN_VIEWS=0` says one is
run already) and tells its worker to run no views. While serving, it starts the
process again a second after it stops. At shutdown it sends it SIGTERM, which the
runner takes as Ctrl-C: it stops between batches, so a batch being written is
finished, never half written.
"""

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import IO

logger = logging.getLogger("casework.serve")
RUN_VIEWS = "CASEWORK_API_RUN_VIEWS"
COMMAND = (sys.executable, "-m", "casework", "projections", "run")
STOP_WITHIN = 30.0


def views_run_in_the_server(env: Mapping[str, str]) -> bool:
    """What `CASEWORK_API_RUN_VIEWS` says (on unless 0, false, no or off)."""
    return env.get(RUN_VIEWS, "1").strip().lower() not in ("0", "false", "no", "off")


class ViewsProcess:
    """`casework projections run` beside a server, from `start` (or `with`) to `stop`.
    Its errors go to the server's stderr, and its other output nowhere (its "Ctrl-C to
    stop" line is not the server's to say); with `output`, both go there."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        output: IO[bytes] | None = None,
        restart_after: float = 1.0,
    ) -> None:
        self.env = dict(os.environ if env is None else env)
        self.output = output
        self.restart_after = restart_after
        self.restarts = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._child: subprocess.Popen[bytes] | None = None
        self._watcher = threading.Thread(target=self._watch, name="views-process", daemon=True)

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None else None

    @property
    def exit_code(self) -> int | None:
        """How the process last ended (None while it runs)."""
        return self._child.poll() if self._child is not None else None

    def __enter__(self) -> "ViewsProcess":
        self.start()
        return self

    def start(self) -> None:
        self._start()
        self._watcher.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _start(self) -> None:
        # In a process group of its own: Ctrl-C at a terminal reaches the server only,
        # which then stops this (`stop`).
        self._child = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed command
            COMMAND,
            env=self.env,
            process_group=0,
            stdout=self.output if self.output is not None else subprocess.DEVNULL,
            stderr=self.output,
        )

    def _watch(self) -> None:
        while True:
            child = self._child
            assert child is not None  # started before the watcher
            code = child.wait()
            if self._stopping.wait(self.restart_after):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                logger.warning("the views process stopped (exit %s); starting it again", code)
                self._start()
                self.restarts += 1

    def stop(self) -> None:
        """Stop the process (SIGTERM, which it takes as Ctrl-C); killed if it has not
        stopped within `STOP_WITHIN` seconds."""
        with self._lock:
            self._stopping.set()
            child = self._child
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=STOP_WITHIN)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self._watcher.is_alive():
            self._watcher.join()
