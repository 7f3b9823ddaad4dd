"""`casework staff` at the command line: the staff list, a hand-over, and a leaver who
is refused until their open cases are handed over."""

from pathlib import Path

import pytest

from casework.aggregates.base import Role
from casework.cli import main
from tests.cli.signing_in import give_account, log_in, resume
from tests.cli.steps import family_case_on_disk


def test_a_worker_hands_over_and_leaves_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app, centre, case_id = family_case_on_disk(tmp_path, monkeypatch)
    lead = give_account(app, centre.administrator, centre.worker, "chen.jing")
    director_login = give_account(app, centre.administrator, centre.director, "liang.zhiqiang")
    app.close()
    leaver, successor = str(centre.worker.staff_id), str(centre.second_worker.staff_id)

    # The lead finds her colleagues' ids; her own record says what she leads.
    worker = log_in(monkeypatch, capsys, lead, Role.CASEWORKER)
    assert main(["staff", "list"]) == 0
    listing = capsys.readouterr().out
    assert f"{leaver}  陈静 Chen Jing" in listing and "leads 1 case(s)" in listing
    assert f"{successor}  刘洋 Liu Yang" in listing
    assert listing.count("leads ") == 1  # a colleague's record is not hers to read
    # The centre director reads everyone's (and records who leaves).
    director = log_in(monkeypatch, capsys, director_login, Role.CENTRE_DIRECTOR)
    assert main(["staff", "list"]) == 0
    listing = capsys.readouterr().out
    assert "supervised by Dr Margaret Ho" in listing and listing.count("leads ") > 1

    leave = ["staff", "leave", leaver, "--on", "2026-06-30"]
    assert main(leave) == 2
    refused = capsys.readouterr().err
    assert "hand_over_required: 陈静 Chen Jing still leads 1 open case(s)" in refused
    assert str(case_id) in refused
    # The lead hands over their own case, acting as a caseworker.
    # Its options are the hand-over command's fields, checked as the API checks them.
    hand_over = ["staff", "hand-over", str(case_id), "--to-staff-id", successor]
    resume(monkeypatch, worker)
    assert main([*hand_over, "--reason", "leaving", "--occurred-at", "2026-06-01T09:00:00"]) == 2
    assert "invalid_value: occurred_at: Expected `datetime` with a timezone component" in (
        capsys.readouterr().err
    )
    assert main([*hand_over, "--reason", ""]) == 2
    assert "invalid_value: reason: Expected `str` of length >= 1" in capsys.readouterr().err
    assert main([*hand_over, "--reason", "leaving"]) == 0
    assert "now led by 刘洋 Liu Yang" in capsys.readouterr().out
    resume(monkeypatch, director)
    assert main(leave) == 0
    assert "left on 2026-06-30" in capsys.readouterr().out
    assert main(["staff", "list"]) == 0
    assert leaver not in capsys.readouterr().out
    assert main(["staff", "list", "--left"]) == 0
    assert "left 2026-06-30" in capsys.readouterr().out
