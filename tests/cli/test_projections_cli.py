"""The projection commands as an operator (no sign-in) and a signed-in department head
use them."""

import base64
import secrets
from pathlib import Path

import pytest

from casework.aggregates.base import Role
from casework.application import Casework
from casework.cli import build_parser, main
from casework.settings import Settings
from tests.cli.signing_in import Login, give_account, log_in
from tests.projections.test_projections import Story, busy_centre


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Story:
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("CASEWORK_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("CASEWORK_MASTER_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    settings = Settings.from_env()
    app = Casework(settings, settings.load_master_key())
    story = busy_centre(app)
    app.close()
    return story


@pytest.fixture
def head_login(story: Story) -> Login:
    """An account for the family department's head."""
    app = Casework(Settings.from_env())
    try:
        centre = story.centre
        return give_account(app, centre.administrator, centre.head, "family.head")
    finally:
        app.close()


def test_an_operator_checks_status_rebuilds_a_view_and_catches_up(
    story: Story, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["projections", "status"]) == 0
    assert "stopped: no runner" in capsys.readouterr().out

    assert main(["projections", "rebuild", "case_plan"]) == 0
    out = capsys.readouterr().out
    assert "case_plan: generation 2 is now serving" in out and "events/s" in out

    assert main(["projections", "run", "--once"]) == 0
    assert main(["projections", "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all("current" in line for line in lines if line.startswith(("case_", "audit")))

    assert main(["projections", "rebuild", "no_such_view"]) == 2
    assert "the views are" in capsys.readouterr().err


def test_a_department_head_reads_cases_caseload_plan_chains_and_timeline(
    story: Story,
    head_login: Login,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    log_in(monkeypatch, capsys, head_login, Role.DEPARTMENT_HEAD)
    family = str(story.centre.family_id)
    assert main(["cases", "--department", family, "--open"]) == 0
    out = capsys.readouterr().out
    assert str(story.quiet_case) in out and "1 case(s)" in out

    assert main(["caseload", "--on", "2026-04-20"]) == 0
    out = capsys.readouterr().out
    assert family in out and "closure" in out and "goals_met" in out

    assert main(["plan", str(story.high_risk_case)]) == 0
    assert "approved v1" in capsys.readouterr().out

    assert main(["referral-chains", "--stalled"]) == 0
    assert str(story.onward_referral) in capsys.readouterr().out

    assert main(["timeline", str(story.high_risk_case)]) == 0
    out = capsys.readouterr().out
    assert "Opened" in out and "EmergencyAccessStarted" in out
    assert "marriage dispute" not in out  # structure only, never case content


def test_every_projection_command_has_help() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in ("cases", "caseload", "plan", "referral-chains", "timeline"):
        assert commands[name].description
    projections = commands["projections"]._subparsers._group_actions[0].choices
    assert all(p.description for p in projections.values())
