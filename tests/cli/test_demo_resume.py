"""An interrupted `casework demo` is finished by the next one, never reported as
complete while half-built; a second demo on the same store waits for the first."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import casework.demo
from casework.application import Casework
from casework.demo import has_demo
from casework.settings import Settings
from casework.store.database import Database
from casework.store.errors import NoStore
from tests.cli.steps import run, use_store

CaptureFixture = pytest.CaptureFixture[str]


def _interrupt_at(monkeypatch: pytest.MonkeyPatch, name: str, calls: int) -> None:
    """The `calls`th call of the demo step `name` is cut short, as Ctrl-C would."""
    real = getattr(casework.demo, name)
    seen = [0]

    def cut(*args: object, **kwargs: object) -> None:
        seen[0] += 1
        if seen[0] == calls:
            raise KeyboardInterrupt
        real(*args, **kwargs)

    monkeypatch.setattr(casework.demo, name, cut)


def _summary(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("  cases:")]


@pytest.mark.parametrize("cut", [("one_case", 4), ("supervise", 2)], ids=["cases", "supervision"])
def test_an_interrupted_demo_is_finished_by_the_next_run(
    cut: tuple[str, int],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: CaptureFixture,
) -> None:
    straight = Settings.from_env({"CASEWORK_DATA_DIR": str(tmp_path / "straight")})
    use_store(monkeypatch, straight)
    whole = run(capsys, "demo", "--cases", "8")
    assert whole.status == 0

    use_store(monkeypatch, settings)
    with monkeypatch.context() as patch:
        _interrupt_at(patch, *cut)
        assert run(capsys, "demo", "--cases", "8").status == 130
    app = Casework(settings)
    try:
        assert not has_demo(app), "a half-built centre is not the demo"
    finally:
        app.close()

    resumed = run(capsys, "demo")  # the planned 8 cases, not the default 200
    assert resumed.status == 0, resumed.err
    assert "finished building the demo centre" in resumed.out
    assert "nothing added" not in resumed.out
    assert _summary(resumed.out) == _summary(whole.out)
    assert "referrals: 0" not in resumed.out and "supervision sessions: 0" not in resumed.out

    again = run(capsys, "demo")
    assert "already in this store; nothing added" in again.out
    assert _summary(again.out) == _summary(whole.out)


def test_a_second_demo_waits_for_the_first(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True)
    env = {
        **os.environ,
        "CASEWORK_DATA_DIR": str(settings.data_dir),
        "CASEWORK_DATABASE_URL": settings.database_url,
    }
    database = Database.from_url(settings.database_url)
    held = threading.Event()
    # The first demo, still building: an flock beside the SQLite file, or an advisory
    # lock on PostgreSQL.
    with database.exclusive("demo", on_wait=held.set):
        second = subprocess.Popen(
            [sys.executable, "-m", "casework", "demo", "--cases", "4"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert second.stdout is not None
        assert "waiting for it" in second.stdout.readline()
        with pytest.raises(NoStore):
            database.check_store()  # nothing built while waiting
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "built the demo centre" in out and "cases: 4" in out
    assert not held.is_set()
