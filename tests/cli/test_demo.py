"""`casework demo` builds a believable centre once; running it again shows what the
store holds without adding anything."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casework import demo
from casework.aggregates.base import Role
from casework.aggregates.case import CaseStatus
from casework.application import Casework
from casework.application.checkpoints import PendingCheckpoints
from casework.cli import build_parser, main
from casework.cli.serve import prepare_demo
from casework.demo.accounts import DEMO_PASSWORD
from casework.settings import Settings


def test_the_demo_centre_has_every_department_stage_and_role(app: Casework) -> None:
    demo.build_demo(app, cases=40)
    organisation = app.get_organisation()
    assert len(organisation.departments) == len(demo.DEPARTMENTS)
    staff = app.list_staff()
    assert len(staff) == len(demo.STAFF) and sum(not s.active for s in staff) == 1
    assert {role for s in staff for role in s.roles} == set(Role)
    assert any(s.external and Role.SUPERVISOR in s.roles for s in staff)
    cases = [app.repository.get(case_id) for case_id in app.case_ids()]
    assert len(cases) == 40
    assert {c.status for c in cases} == set(CaseStatus)
    assert any(c.team for c in cases) and any(c.reopenings for c in cases)
    assert any("王" in c.clients[0].name or "李" in c.clients[0].name for c in cases)
    leaver = next(s for s in staff if not s.active)
    assert all(app.repository.get(c).status == CaseStatus.CLOSED for c in leaver.lead_case_ids)

    app.keyring.destroy(cases[0].id, datetime.now(tz=UTC))
    summary = demo.describe(app)
    assert "cases: 39 — " in summary and "; and 1 erased" in summary
    referrals = re.search(r"referrals: (\d+) \((\d+) stalled, (\d+) looping back\)", summary)
    assert referrals is not None
    assert int(referrals[1]) > 0
    assert re.search(r"supervision sessions: [1-9]\d* \(\d+ awaiting sign-off", summary)


def test_running_the_demo_twice_builds_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    assert main(["demo", "--cases", "12"]) == 0
    first = capsys.readouterr().out
    assert "created" in first and "master.key" in first
    assert "built the demo centre" in first and "cases: 12" in first

    assert main(["demo"]) == 0
    second = capsys.readouterr().out
    assert "already in this store; nothing added" in second and "cases: 12" in second
    assert "created" not in second
    app = Casework(Settings.from_env())
    assert len(app.case_ids()) == 12
    app.close()


def test_serve_demo_builds_one_centre_and_its_accounts_before_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    args = build_parser().parse_args(["serve", "--demo", "--cases", "8"])
    args.pending_checkpoints = PendingCheckpoints()
    prepare_demo(args, Settings.from_env())  # what `casework serve --demo` does first
    said = capsys.readouterr().out
    assert "built the demo centre" in said and "cases: 8" in said
    assert DEMO_PASSWORD in said
    app = Casework(Settings.from_env())
    assert len(app.case_ids()) == 8
    app.close()


@pytest.mark.parametrize(
    ("variable", "value"),
    [("CASEWORK_API_THREADS", "lots"), ("CASEWORK_METRICS_FROM", "the office")],
)
def test_serve_refuses_a_wrong_server_setting_in_one_line_before_anything_starts(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv(variable, value)
    assert main(["serve", "--demo"]) == 2
    said = capsys.readouterr().err
    assert said.startswith(f"casework: {variable}: ") and said.count("\n") == 1
    assert not (tmp_path / "data").exists()  # no demo built, no server started
