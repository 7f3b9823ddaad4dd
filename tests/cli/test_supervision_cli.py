"""The supervision command line: who is due for supervision, and audit samples drawn
and drawn again."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from casework.aggregates.base import Role
from casework.aggregates.case import NoteKind
from casework.application import Casework
from casework.cli import main
from casework.settings import Settings
from tests.builders.centre import family_centre, open_family_case
from tests.cli.signing_in import give_account, log_in


def test_a_supervisor_lists_who_is_due_and_samples_a_workers_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("CASEWORK_REQUIRE_TOTP", "0")  # not about the second factor
    assert main(["keys", "init"]) == 0
    app = Casework(Settings.from_env())
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    case = app.repository.get(case_id)
    for day in (2, 9, 16):
        case.record_note(
            centre.worker,
            NoteKind.HOME_VISIT,
            f"visit {day}",
            60,
            occurred_at=datetime(2026, 3, day, 10, tzinfo=UTC),
        )
    app.save(case)
    app.set_supervision_frequency(centre.director, centre.worker.staff_id, every_days=14)
    supervisor_login = give_account(app, centre.administrator, centre.supervisor, "margaret.ho")
    app.close()
    capsys.readouterr()

    log_in(monkeypatch, capsys, supervisor_login, Role.SUPERVISOR)
    assert main(["supervision", "due", "--on", "2030-01-01"]) == 0
    listed = capsys.readouterr().out
    assert "陈静 Chen Jing" in listed and "OVERDUE" in listed
    assert "梁志强 Liang Zhiqiang" not in listed  # the centre director is not on the policy

    worker = str(centre.worker.staff_id)
    window = ["--from", "2026-03-01", "--to", "2026-03-31", "--size", "2", "--seed", "11"]
    assert main(["supervision", "audit-sample", worker, *window]) == 0
    drawn = capsys.readouterr().out
    assert "2 of 3 records, seed 11" in drawn
    sample_id = drawn.split()[2].rstrip(":")
    assert main(["supervision", "check-sample", sample_id]) == 0
    assert "the sample is reproduced" in capsys.readouterr().out

    # Acting in a role one does not hold is refused at sign-in.
    assert main(["login", "--role", "centre_director"]) == 2
    assert "role_not_held" in capsys.readouterr().err
