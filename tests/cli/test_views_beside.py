"""`casework serve` on SQLite keeps its views fresh in a process beside the server
(ADR 0064): the views follow the writes, the process is started again if it dies, and
it is stopped between batches, as Ctrl-C would stop it."""

import os
import signal
import time
from typing import Any

import pytest

from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.application import Casework
from casework.cli import main, serve
from casework.cli.views_beside import RUN_VIEWS, ViewsProcess
from casework.projections import Projections
from casework.settings import Settings


def a_refused_read(settings: Settings) -> int:
    """Something new in the log (a refused read is recorded); its position."""
    app = Casework(settings)
    try:
        app.record_access(
            None, AccessAction.READ, outcome=AccessOutcome.REFUSED, reason="not signed in"
        )
        return app.last_position()
    finally:
        app.close()


def views_reach(settings: Settings, position: int, within: float = 30.0) -> bool:
    app = Casework(settings)
    projections = Projections(app)
    try:
        return projections.wait_for(position, timeout=within)
    finally:
        projections.close()
        app.close()


def test_the_views_process_follows_the_writes_and_stops_as_ctrl_c_would(
    demo_store: Settings,
) -> None:
    # As a server started by a script's `&` would start it: with SIGINT ignored.
    views = ViewsProcess()
    ignoring = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        views.start()
    finally:
        signal.signal(signal.SIGINT, ignoring)
    try:
        assert views_reach(demo_store, a_refused_read(demo_store))
        assert views.exit_code is None
    finally:
        stopping = time.monotonic()
        views.stop()
    assert views.exit_code == 0  # it finished what it was doing and said goodbye
    assert time.monotonic() - stopping < 10 and views.restarts == 0


def test_a_views_process_that_dies_is_started_again(demo_store: Settings) -> None:
    with ViewsProcess(restart_after=0.1) as views:
        first = views.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while views.restarts == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert views.restarts == 1 and views.pid != first
        assert views_reach(demo_store, a_refused_read(demo_store))


@pytest.mark.parametrize(("told", "beside"), [("1", True), ("0", False)])
def test_serve_on_sqlite_runs_the_views_beside_its_workers_unless_told_one_runs_already(
    demo_store: Settings, monkeypatch: pytest.MonkeyPatch, told: str, beside: bool
) -> None:
    monkeypatch.setenv(RUN_VIEWS, told)  # and put back as it was after the test
    started: list[ViewsProcess] = []
    seen: dict[str, Any] = {}

    class Started(ViewsProcess):
        def start(self) -> None:
            super().start()
            started.append(self)

    class Server:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            seen["workers"] = kwargs["workers"]

        def serve(self) -> None:  # serves until the views have followed a write
            seen["run views"] = os.environ[RUN_VIEWS]
            seen["views running"] = [v.exit_code is None for v in started]
            written = a_refused_read(demo_store)
            seen["views followed"] = views_reach(demo_store, written, 30.0 if beside else 1.0)

    monkeypatch.setattr(serve, "Granian", Server)
    monkeypatch.setattr(serve, "ViewsProcess", Started)

    assert main(["serve", "--workers", "2"]) == 0

    assert seen == {
        "workers": 2,  # several workers share an SQLite store (ADR 0065)
        "run views": "0",
        "views running": [True] if beside else [],
        "views followed": beside,  # told one runs already, and none does here
    }
    assert [v.exit_code for v in started] == ([0] if beside else [])
