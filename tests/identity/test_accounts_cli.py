"""The command line as a signed-in tool: the first administrator, an account for a
worker, passwords and TOTP without prompts (a script), login to a 0600 file, logout."""

import re
import stat
from pathlib import Path

import pyotp
import pytest

from casework.aggregates.base import Role
from casework.application import Casework
from casework.application.checkpoints import PendingCheckpoints
from casework.application.commands.organisation import AddStaff
from casework.application.principal import AccessPoint
from casework.cli.session import casework_session, signed_in_principal
from casework.settings import Settings
from casework.store.key_files import create_key_files
from tests.cli.steps import run
from tests.identity.steps import PASSWORD

CODE = re.compile(r"one-time set-password code: (\S+)")
SECRET = re.compile(r"secret: (\S+)")


def test_an_administrator_and_a_worker_sign_in_at_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("CASEWORK_SESSION_TOKEN", raising=False)
    create_key_files(Settings.from_env())
    Casework(Settings.from_env()).close()  # the store exists before its first account
    session_path = tmp_path / "config" / "casework" / "session"

    status, out, _ = run(
        capsys,
        "users", "create-admin", "--user-name", "it.admin", "--staff-name", "IT Admin",
        "--organisation", "Sunshine Social Work", "--centre", "Haizhu Family Centre",
    )  # fmt: skip
    assert status == 0 and "account it.admin for IT Admin" in out
    admin_code = CODE.search(out).group(1)  # type: ignore[union-attr]
    status, _, err = run(capsys, "users", "create-admin", "--user-name", "x", "--staff-name", "X")
    assert status == 2 and "first_administrator_exists: this store already has accounts" in err

    # Not a terminal: nothing is prompted, and a missing secret is named.
    status, _, err = run(capsys, "users", "set-password", "--user-name", "it.admin")
    assert status == 2 and "CASEWORK_SET_PASSWORD_CODE: not a terminal" in err
    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    assert (
        run(capsys, "users", "set-password", "--user-name", "it.admin", "--code", admin_code)[0]
        == 0
    )
    status, out, _ = run(capsys, "users", "enrol-totp", "--user-name", "it.admin")
    assert status == 0 and "otpauth://totp/Sunshine%20Social%20Work:it.admin" in out
    totp = pyotp.TOTP(SECRET.search(out).group(1))  # type: ignore[union-attr]

    status, _, err = run(capsys, "login", "--user-name", "it.admin", "--role", "administrator")
    assert status == 2 and "CASEWORK_TOTP_CODE" in err
    monkeypatch.setenv("CASEWORK_TOTP_CODE", totp.now())
    status, out, _ = run(capsys, "login", "--user-name", "it.admin", "--role", "administrator")
    assert status == 0 and "signed in as IT Admin, acting as administrator" in out
    assert stat.S_IMODE(session_path.stat().st_mode) == 0o600
    token = session_path.read_text().strip()
    assert len(token) >= 43 and token not in out

    # Another command acts as whoever signed in.
    pending = PendingCheckpoints()
    with casework_session(pending) as app:
        admin = signed_in_principal(app)
        assert (admin.role, admin.access_point) == (Role.ADMINISTRATOR, AccessPoint.CLI)
        centre_id = app.get_organisation().centres[0].centre_id
        staff = str(
            app.add_staff(
                admin,
                AddStaff(
                    name="陈静 Chen Jing",
                    centre_id=centre_id,
                    roles=[Role.CASEWORKER],
                    disciplines=[],
                ),
            )
        )
    pending.sign_all()
    status, out, _ = run(capsys, "users", "add", "--user-name", "chen.jing", "--staff-id", staff)
    assert status == 0 and "account chen.jing for 陈静 Chen Jing" in out

    status, out, _ = run(capsys, "users", "revoke", "--user-name", "chen.jing")
    assert (status, out) == (0, "0 session(s) of 陈静 Chen Jing ended\n")

    status, out, _ = run(capsys, "logout")
    assert (status, out) == (0, "signed out\n") and not session_path.exists()
    status, _, err = run(capsys, "users", "add", "--user-name", "liu.yang", "--staff-id", staff)
    assert status == 2 and "not_signed_in: nobody is signed in here" in err
    # A script passes the token in the environment; an ended one is refused.
    monkeypatch.setenv("CASEWORK_SESSION_TOKEN", token)
    status, _, err = run(capsys, "users", "revoke", "--user-name", "chen.jing")
    assert status == 2 and "session_ended" in err
