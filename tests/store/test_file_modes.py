"""Keys where they belong: a signing key others can read is refused like the master key;
the data directory is 0700 and the database, its WAL, checkpoints and exports 0600; a
signing key kept beside the database is warned about."""

import os
import stat
from pathlib import Path

import pytest

from casework.application import Casework
from casework.cli import main
from casework.settings import Settings
from casework.store.file_modes import (
    KeyFileExposed,
    signing_key_placement_warnings,
    write_private,
)
from casework.store.key_files import write_signing_key
from casework.store.ledger import load_signing_key
from tests.builders.compliance_steps import family_case, give_ledger_key
from tests.cli.steps import keys_initialised


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_signing_key_readable_by_others_is_refused(app: Casework) -> None:
    give_ledger_key(app)
    key = app.settings.signing_key_file
    assert load_signing_key(key) is not None
    os.chmod(key, 0o644)
    with pytest.raises(KeyFileExposed, match=f"run `chmod 600 {key}`"):
        load_signing_key(key)
    family_case(app, notes=1)
    with pytest.raises(KeyFileExposed):
        app.checkpoint()
    assert app.latest_checkpoint() is None


def test_the_data_directory_and_database_files_are_the_owners_alone(
    sqlite_settings: Settings, app: Casework
) -> None:
    family_case(app, notes=1)
    database = app.database.sqlite_path
    assert database is not None
    assert mode(database.parent) == 0o700
    files = [p for p in database.parent.iterdir() if p.name.startswith(database.name)]
    assert database in files
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_checkpoint_and_export_files_are_written_0600(tmp_path: Path, app: Casework) -> None:
    give_ledger_key(app)
    family_case(app, notes=1)
    checkpoint = app.checkpoint()
    assert checkpoint is not None
    kept = tmp_path / "funder.checkpoint"
    checkpoint.write(kept)
    assert mode(kept) == 0o600
    bundle = tmp_path / "case.bundle.json"
    bundle.write_bytes(b"old")
    os.chmod(bundle, 0o644)
    write_private(bundle, b"{}")
    assert mode(bundle) == 0o600 and bundle.read_bytes() == b"{}"


def test_a_signing_key_beside_the_database_is_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keys_initialised(tmp_path, monkeypatch)
    settings = Settings.from_env()
    database = tmp_path / "data" / "casework.db"
    assert signing_key_placement_warnings(settings.signing_key_file, database)
    capsys.readouterr()
    assert main(["ledger", "checkpoint"]) == 0
    assert "lives beside the database" in capsys.readouterr().err

    elsewhere = tmp_path / "signing-host" / "ledger-signing.key"
    write_signing_key(elsewhere)
    assert signing_key_placement_warnings(elsewhere, database) == []
