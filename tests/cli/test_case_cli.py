"""`casework case …` at the command line: a caseworker records a note and corrects it
with an addendum, the options being the commands' own fields (a value out of their
limits is refused naming the field, as over HTTP); an administrator may not break the
glass."""

from pathlib import Path

import pytest

from casework.aggregates.base import Role
from casework.application import Casework
from casework.cli import main
from tests.cli.signing_in import give_account, log_in
from tests.cli.steps import family_case_on_disk


def test_a_caseworker_records_a_note_and_its_addendum_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app, centre, case_id = family_case_on_disk(tmp_path, monkeypatch)
    worker = give_account(app, centre.administrator, centre.worker, "chen.jing")
    administrator = give_account(app, centre.administrator, centre.administrator, "it.admin")
    app.close()
    case = str(case_id)

    log_in(monkeypatch, capsys, worker, Role.CASEWORKER)
    note = ["case", "note", case, "--kind", "home_visit", "--narrative", "家访：母子平稳"]
    assert main([*note, "--duration-minutes", "2000"]) == 2
    assert "invalid_value: duration_minutes: Expected `int` <= 1440" in capsys.readouterr().err
    assert main([*note, "--duration-minutes", "45"]) == 0
    recorded = capsys.readouterr().out
    assert recorded.startswith(f"recorded on case {case}: note ")
    note_id = recorded.split()[-1]
    addendum = ["case", "addendum", case, "--record-kind", "note", "--record-id", note_id]
    assert main([*addendum, "--narrative", "the son was at school", "--reason", "omitted"]) == 0
    assert "addendum" in capsys.readouterr().out

    app = Casework(app.settings)
    [written] = app.read_case(centre.worker, case_id).case.notes.values()
    assert (written.narrative, written.duration_minutes) == ("家访：母子平稳", 45)
    assert [a.narrative for a in written.addenda] == ["the son was at school"]
    app.close()

    log_in(monkeypatch, capsys, administrator, Role.ADMINISTRATOR)
    assert main(["case", "break-the-glass", case, "--reason", "asked to look"]) == 2
    assert "administrators_see_no_case_content" in capsys.readouterr().err
