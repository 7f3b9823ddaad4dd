"""An evaluator's session at the command line: keys, a checkpoint handed to the funder,
verification against it, an export checked offline, a replay, and an erasure that is
checkpointed before the command exits."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from casework.aggregates.base import Role
from casework.application import Casework
from casework.cli import main
from casework.settings import Settings
from tests.builders.compliance_steps import family_case
from tests.cli.signing_in import give_account, log_in, resume


@pytest.fixture
def settings_in_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("CASEWORK_SESSION_TOKEN", raising=False)
    for name in ("CASEWORK_DATABASE_URL", "CASEWORK_MASTER_KEY", "CASEWORK_KEY_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CASEWORK_SIGNING_KEY_FILE", raising=False)
    return Settings.from_env()


def test_an_evaluator_checks_the_store_and_a_case_from_the_command_line(
    settings_in_env: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["keys", "init"]) == 0
    app = Casework(settings_in_env)
    opened = datetime.now(UTC).isoformat()
    centre, case_id = family_case(app, notes=2)
    director_login = give_account(app, centre.administrator, centre.director, "director")
    head_login = give_account(app, centre.administrator, centre.head, "family.head")
    app.close()
    # Case content is read and erased by people signed in (the CLI's environment path).
    head = log_in(monkeypatch, capsys, head_login, Role.DEPARTMENT_HEAD)
    director = log_in(monkeypatch, capsys, director_login, Role.CENTRE_DIRECTOR)
    funder_copy = tmp_path / "funder.checkpoint"
    bundle = tmp_path / "case.bundle.json"

    assert main(["ledger", "checkpoint", "--out", str(funder_copy)]) == 0
    assert funder_copy.exists()
    assert main(["verify", "--against", str(funder_copy)]) == 0
    assert "OK: nothing in the log was altered" in capsys.readouterr().out

    assert main(["export", str(case_id), "--out", str(bundle)]) == 0
    public_key = str(settings_in_env.verify_key_file)
    assert main(["verify-bundle", str(bundle), "--public-key", public_key]) == 0
    assert "OK: every event is in the signed ledger" in capsys.readouterr().out

    now = datetime.now(UTC).isoformat()
    assert main(["replay", str(case_id), "--as-of", now]) == 0
    assert '"basis": "as recorded"' in capsys.readouterr().out
    assert main(["diff", str(case_id), "--since", opened, "--until", now]) == 0
    assert '"event": "note recorded"' in capsys.readouterr().out
    assert main(["ledger", "prove", str(case_id), "2"]) == 0
    assert '"leaf_index"' in capsys.readouterr().out

    request = ["erase", "request", str(case_id), "--reason", "client request"]
    resume(monkeypatch, head)
    assert main([*request, "--legal-authority", "PIPL art. 47"]) == 0
    request_id = capsys.readouterr().out.split("casework erase approve ")[1].split()[0]
    assert main(["erase", "approve", request_id]) == 2  # never the requester
    assert "cannot approve it" in capsys.readouterr().err
    resume(monkeypatch, director)
    assert main(["erase", "approve", request_id]) == 0
    assert main(["erase", "carry-out", request_id]) == 0
    app = Casework(settings_in_env)
    latest = app.latest_checkpoint()
    assert latest is not None and latest.tree_size == app.last_position()
    app.close()

    assert main(["replay", str(case_id), "--as-of", now]) == 2
    assert "erased on" in capsys.readouterr().err
    assert main(["verify"]) == 0


def test_a_tampered_store_fails_verification_with_exit_status_one(
    settings_in_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "init"]) == 0
    assert main(["ledger", "checkpoint"]) == 0
    app = Casework(settings_in_env)
    family_case(app, notes=1)
    app.close()
    assert main(["ledger", "checkpoint"]) == 0
    app = Casework(settings_in_env)
    with app.factory.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
        c.execute("DROP TRIGGER stored_events_no_delete")
        c.execute("DELETE FROM stored_events WHERE rowid = 3")
    app.close()
    capsys.readouterr()
    assert main(["verify"]) == 1
    assert "FAILED [record_deleted]" in capsys.readouterr().out
