"""The supervision command line: a session recorded, signed and followed up (options
from the commands' fields, refused naming the field as over HTTP), who is due for
supervision, and audit samples drawn and drawn again."""

from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from casework.aggregates.base import Role
from casework.aggregates.case import NoteKind
from casework.application import Casework
from casework.application.commands.supervision import SetSupervisionFrequency
from casework.cli import main
from casework.settings import Settings
from tests.builders.centre import family_centre, open_family_case
from tests.cli.signing_in import give_account, log_in
from tests.cli.steps import family_centre_on_disk


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
    app.set_supervision_frequency(
        centre.director, centre.worker.staff_id, SetSupervisionFrequency(every_days=14)
    )
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


def test_a_supervisor_records_a_session_and_its_supervisee_signs_it_and_follows_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app, centre = family_centre_on_disk(tmp_path, monkeypatch)
    supervisor_login = give_account(app, centre.administrator, centre.supervisor, "margaret.ho")
    worker_login = give_account(app, centre.administrator, centre.worker, "chen.jing")
    app.close()
    capsys.readouterr()
    worker = str(centre.worker.staff_id)

    log_in(monkeypatch, capsys, supervisor_login, Role.SUPERVISOR)
    record = ["supervision", "record", "--session-format", "individual"]
    record += ["--supervisor-id", str(centre.supervisor.staff_id), "--supervisee-ids", worker]
    assert main([*record, "--duration-minutes", "0"]) == 2
    assert "invalid_value: duration_minutes" in capsys.readouterr().err
    assert main([*record, "--duration-minutes", "60", "--topics", "case_practice"]) == 0
    session = capsys.readouterr().out.split()[-1]
    note = ["supervision", "note", session, "--topic", "case_practice"]
    assert main([*note, "--text", "一个家庭的照顾压力 caregiver strain"]) == 0
    item = ["supervision", "action-item", session, "--owner-id", worker]
    assert main([*item, "--description", "book the family meeting", "--due-on", "2026-03-17"]) == 0
    item_id = capsys.readouterr().out.split()[-1]
    assert main(["supervision", "sign", session]) == 0

    log_in(monkeypatch, capsys, worker_login, Role.CASEWORKER)
    assert main(["supervision", "decision", session, "--decision", "weekly visits"]) == 2
    assert "may not record a decision of this session" in capsys.readouterr().err
    assert main(["supervision", "sign", session]) == 0
    assert main(["supervision", "done", session, item_id]) == 0
    assert capsys.readouterr().out.startswith(f"recorded on supervision session {session}")

    app = Casework(app.settings)
    held = app.get_supervision_session(centre.supervisor, UUID(session))
    assert held.signed_off and held.duration_minutes == 60
    assert [n.text for n in held.notes] == ["一个家庭的照顾压力 caregiver strain"]
    assert [i.done_at is not None for i in held.action_items] == [True]
    app.close()
