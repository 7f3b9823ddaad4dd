"""Signing in at the command line in a test, as a script does (no terminal): an
account opened by the administrator, its password set and a second factor enrolled
through the service layer, then `casework login` with the user name, password and
TOTP code in the environment. The session is kept in `$XDG_CONFIG_HOME`."""

from dataclasses import dataclass

import pyotp
import pytest

from casework.aggregates.base import Actor, Role
from casework.application import Casework
from casework.cli import main
from casework.cli.session_token import TOKEN_VARIABLE, read_token

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Login:
    user_name: str
    totp: pyotp.TOTP


def give_account(app: Casework, administrator: Actor, person: Actor, user_name: str) -> Login:
    code = app.open_account(administrator, person.staff_id, user_name)
    app.set_password(user_name, code.code, PASSWORD)
    return Login(user_name, pyotp.TOTP(app.enrol_second_factor(user_name, PASSWORD).secret))


def log_in(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    login: Login,
    role: Role,
    purpose: str = "",
) -> str:
    """`casework login` for `login` acting in `role`; its session replaces any before.
    Returns the token, to `resume` the session later (a second login within the same
    30 seconds would reuse the TOTP code, which is refused)."""
    monkeypatch.delenv(TOKEN_VARIABLE, raising=False)
    monkeypatch.setenv("CASEWORK_USER_NAME", login.user_name)
    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    monkeypatch.setenv("CASEWORK_TOTP_CODE", login.totp.now())
    argv = ["login", "--role", role.value, *(["--purpose", purpose] if purpose else [])]
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "signed in as" in out
    token = read_token()
    assert token is not None
    return token


def resume(monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    """Act in a session signed in earlier, as a script does with the token."""
    monkeypatch.setenv(TOKEN_VARIABLE, token)
