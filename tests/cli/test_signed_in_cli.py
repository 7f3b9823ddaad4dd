"""The command line as a signed-in tool: a caseworker signs in (as a script does) and
sees her case, its replay and its timeline; a worker of another department is refused,
with the rule named, and the refusal is in the access log; nobody signed in is told to
sign in first; the administrator sees no case content but runs the operator commands;
a compliance reviewer states a purpose once at sign-in and her reads carry it."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.aggregates.base import Actor, Role
from casework.application import Casework
from tests.builders.centre import enrol, open_family_case
from tests.cli.signing_in import give_account, log_in
from tests.cli.steps import family_centre_on_disk, run

CLIENT = "王芳 Wang Fang"
NARRATIVE = "婚姻冲突"


def test_each_person_sees_at_the_command_line_what_they_may_and_no_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CASEWORK_SESSION_TOKEN", raising=False)
    app, centre = family_centre_on_disk(tmp_path, monkeypatch)
    youth_id = enrol(app, centre, "赵磊 Zhao Lei", centre.youth_id, Role.CASEWORKER)
    youth_worker = Actor(youth_id, Role.CASEWORKER)
    case_id = open_family_case(app, centre)
    admin = centre.administrator
    logins = {
        "worker": give_account(app, admin, centre.worker, "chen.jing"),
        "youth": give_account(app, admin, youth_worker, "zhao.lei"),
        "admin": give_account(app, admin, admin, "it.admin"),
        "reviewer": give_account(app, admin, centre.reviewer, "audit.office"),
    }
    app.close()
    case = str(case_id)
    now = datetime.now(UTC).isoformat()

    # Nobody signed in: every command on case content says how to sign in.
    for argv in (["cases"], ["timeline", case], ["replay", case, "--as-of", now]):
        status, out, err = run(capsys, *argv)
        assert status == 2 and "sign in first: casework login" in err
        assert CLIENT not in out

    # The lead caseworker sees her case, named by its client, and its history.
    log_in(monkeypatch, capsys, logins["worker"], Role.CASEWORKER)
    status, out, _ = run(capsys, "cases")
    assert status == 0 and case in out and CLIENT in out and "1 case(s)" in out
    assert "陈静 Chen Jing" in out and "家庭部 Family" in out
    status, out, _ = run(capsys, "timeline", case)
    assert status == 0 and f"case {case} ({CLIENT})" in out and "Opened" in out
    assert "陈静 Chen Jing" in out and NARRATIVE not in out
    status, out, _ = run(capsys, "replay", case, "--as-of", now)
    assert status == 0 and CLIENT in out and NARRATIVE in out

    # A caseworker of another department: not listed, and refused with the rule named.
    log_in(monkeypatch, capsys, logins["youth"], Role.CASEWORKER)
    status, out, _ = run(capsys, "cases")
    assert status == 0 and "0 case(s)" in out and CLIENT not in out
    status, out, err = run(capsys, "replay", case, "--as-of", now)
    assert status == 2 and err.startswith("casework: access_denied:") and CLIENT not in out
    status, out, err = run(capsys, "timeline", case)
    assert status == 2 and "access_denied" in err and CLIENT not in out

    # The administrator runs the operator commands and sees no case content.
    log_in(monkeypatch, capsys, logins["admin"], Role.ADMINISTRATOR)
    status, out, _ = run(capsys, "cases")
    assert status == 0 and "0 case(s)" in out and CLIENT not in out
    status, out, err = run(capsys, "replay", case, "--as-of", now)
    assert status == 2 and "administrators see no case content" in err and CLIENT not in out
    for argv in (["projections", "status"], ["verify"], ["ledger", "checkpoint"]):
        status, out, err = run(capsys, *argv)
        assert status == 0, err
        assert CLIENT not in out + err and NARRATIVE not in out + err

    # A compliance reviewer states her purpose once, at sign-in.
    monkeypatch.setenv("CASEWORK_USER_NAME", "audit.office")
    status, _, err = run(capsys, "login", "--role", "compliance_reviewer")
    assert status == 2 and "--purpose" in err
    purpose = "annual audit 2026, contract 12"
    log_in(monkeypatch, capsys, logins["reviewer"], Role.COMPLIANCE_REVIEWER, purpose)
    status, out, _ = run(capsys, "replay", case, "--as-of", now)
    assert status == 0 and CLIENT in out

    app = Casework(app.settings)
    log = app.who_read_case(centre.reviewer, case_id)
    app.close()
    refused = [e for e in log if e.staff_id == youth_id and e.outcome is AccessOutcome.REFUSED]
    assert {e.action for e in refused} == {AccessAction.REPLAY, AccessAction.READ}
    assert all(e.access_point == "cli" and e.session_id for e in refused)
    listed = [e for e in log if e.staff_id == centre.worker.staff_id]
    assert {e.action for e in listed} >= {AccessAction.READ, AccessAction.REPLAY}
    review = [e for e in log if e.staff_id == centre.reviewer.staff_id]
    replayed = [e for e in review if e.action is AccessAction.REPLAY]
    assert len(replayed) == 1 and replayed[0].purpose == purpose
    assert replayed[0].outcome is AccessOutcome.ALLOWED
    assert not [e for e in log if e.staff_id == admin.staff_id and e.outcome.value == "allowed"]
