"""Running the command line as an operator would: the store named by the environment,
what it printed, and a small demo centre to break."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from casework.cli import main
from casework.settings import Settings


@dataclass(frozen=True)
class Said:
    status: int
    out: str
    err: str


def use_store(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Point the command line at the store (and the keys) of `settings`."""
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CASEWORK_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("CASEWORK_MASTER_KEY", raising=False)
    monkeypatch.delenv("CASEWORK_KEY_DIR", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Said:
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    return Said(status, out, err)


def refused(said: Said, *words: str) -> None:
    """One clear line on stderr naming the cause, a non-zero status, no traceback."""
    assert said.status != 0, said
    assert "Traceback" not in said.err and "Error:" not in said.err, said.err
    assert said.err.startswith("casework: ") and said.err.count("\n") == 1, said.err
    for word in words:
        assert word in said.err, (word, said.err)


def sqlite_file(settings: Settings) -> Path:
    return settings.data_dir / "casework.db"
