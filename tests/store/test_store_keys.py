"""The master key: created once, required to start, rotated without rewriting events."""

import base64
import stat
from pathlib import Path

import pytest

from casework.application import Casework
from casework.cli import build_parser, main
from casework.settings import Settings
from casework.store.errors import MasterKeyError
from casework.store.master_key import MasterKey
from tests.builders.cases import open_case, record_note
from tests.store.test_store_sealing import raw_rows


def settings_for(tmp_path: Path, **extra: str) -> Settings:
    return Settings.from_env({"CASEWORK_DATA_DIR": str(tmp_path / "data"), **extra})


def test_keys_init_creates_owner_only_key_files(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    assert main(["keys", "init"]) == 0
    settings = Settings.from_env()
    for path in (settings.master_key_file, settings.signing_key_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(base64.b64decode(settings.master_key_file.read_text())) == 32
    assert settings.verify_key_file.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    before = settings.master_key_file.read_bytes()
    assert main(["keys", "init"]) == 0
    assert settings.master_key_file.read_bytes() == before, "init never overwrites a key"


def test_without_a_master_key_casework_refuses_to_start_and_says_how(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    with pytest.raises(MasterKeyError, match="casework keys init"):
        Casework(settings)
    assert not (tmp_path / "data" / "casework.db").exists(), "nothing was written"


def test_a_malformed_master_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(MasterKeyError, match="not valid base64"):
        Casework(settings_for(tmp_path, CASEWORK_MASTER_KEY="not base64!"))
    short = base64.b64encode(b"too short").decode()
    with pytest.raises(MasterKeyError, match="must be 32 bytes"):
        Casework(settings_for(tmp_path, CASEWORK_MASTER_KEY=short))


def test_a_key_file_others_can_read_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    main(["keys", "init"])
    key_file = Settings.from_env().master_key_file
    key_file.chmod(0o644)
    with pytest.raises(MasterKeyError, match="chmod 600"):
        Casework(Settings.from_env())


def test_the_wrong_master_key_is_refused_before_anything_is_written(
    settings: Settings, master_key: MasterKey
) -> None:
    app = Casework(settings, master_key)
    open_case(app)
    events_before = raw_rows(app, app.database.events_table)
    app.close()
    with pytest.raises(MasterKeyError, match="is not the key of this store"):
        Casework(settings, MasterKey.generate("a stranger's key"))
    check = Casework(settings, master_key)
    assert raw_rows(check, check.database.events_table) == events_before
    check.close()


def test_rotating_the_master_key_rewraps_keys_and_rewrites_no_event(
    settings: Settings, master_key: MasterKey
) -> None:
    app = Casework(settings, master_key)
    cases = [open_case(app, f"family {i}") for i in range(3)]
    record_note(app, cases[0], "note")
    events_before = raw_rows(app, app.database.events_table)
    keys_before = raw_rows(app, "casework_data_keys")

    new_key = MasterKey.generate("the new master key")
    assert app.keyring.rotate_master(new_key) == 3
    app.close()

    assert raw_rows(app, app.database.events_table) == events_before
    keys_after = raw_rows(app, "casework_data_keys")
    assert [r[0] for r in keys_after] == [r[0] for r in keys_before]
    assert all(a[2] != b[2] for a, b in zip(keys_after, keys_before, strict=True))

    with pytest.raises(MasterKeyError):
        Casework(settings, master_key)
    rotated = Casework(settings, new_key)
    assert [rotated.repository.get(c).presenting_problem for c in cases] == [
        "family 0",
        "family 1",
        "family 2",
    ]
    rotated.close()


def test_rotate_master_from_the_command_line(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    main(["keys", "init"])
    settings = Settings.from_env()
    app = Casework(settings)
    case_id = open_case(app, "rotated")
    app.close()
    old = settings.master_key_file.read_text()

    assert main(["keys", "rotate-master"]) == 0
    assert "re-wrapped 1 data keys" in capsys.readouterr().out
    assert settings.master_key_file.read_text() != old
    assert stat.S_IMODE(settings.master_key_file.stat().st_mode) == 0o600
    with pytest.raises(MasterKeyError):
        Casework(settings, MasterKey.from_base64(old, "the old key"))
    assert Casework(settings).repository.get(case_id).presenting_problem == "rotated"


def test_every_command_has_help() -> None:
    """Every sub-command, at every depth, says what it does in `casework … --help`."""
    undocumented = []
    count = 0

    def walk(parser, path: list[str]) -> None:
        nonlocal count
        for action in parser._actions:  # argparse keeps sub-commands here
            if isinstance(action.choices, dict):
                helps = {a.dest: a.help for a in action._choices_actions}
                for name, sub in action.choices.items():
                    count += 1
                    if not helps.get(name):
                        undocumented.append(" ".join([*path, name]))
                    walk(sub, [*path, name])

    walk(build_parser(), [])
    assert count >= 3
    assert undocumented == []
