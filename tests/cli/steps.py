"""Running the command line as an operator would: the store named by the environment,
what it printed, a family centre with one case on disk, and a small demo centre to break."""

from pathlib import Path
from typing import NamedTuple
from uuid import UUID

import pytest

from casework.application import Casework
from casework.cli import main
from casework.settings import Settings
from casework.store.key_files import create_key_files
from tests.builders.centre import FamilyCentre, family_centre, open_family_case


class Said(NamedTuple):
    status: int
    out: str
    err: str


def use_store(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Point the command line at the store (and the keys) of `settings`."""
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CASEWORK_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("CASEWORK_MASTER_KEY", raising=False)
    monkeypatch.delenv("CASEWORK_KEY_DIR", raising=False)


def keys_initialised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An operator runs `casework keys init` for a fresh SQLite store under `tmp_path`
    (the signing key beside it, where `keys init` puts it)."""
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    for name in ("CASEWORK_DATABASE_URL", "CASEWORK_MASTER_KEY", "CASEWORK_KEY_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CASEWORK_SIGNING_KEY_FILE", raising=False)
    assert main(["keys", "init"]) == 0


def family_centre_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Casework, FamilyCentre]:
    """The family centre in a store (keys on disk) that the command line finds through
    the environment, sessions kept under `tmp_path`; the caller closes it."""
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    settings = Settings.from_env()
    create_key_files(settings)
    app = Casework(settings)
    return app, family_centre(app)


def family_case_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Casework, FamilyCentre, UUID]:
    """`family_centre_on_disk` with one open case."""
    app, centre = family_centre_on_disk(tmp_path, monkeypatch)
    return app, centre, open_family_case(app, centre)


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
