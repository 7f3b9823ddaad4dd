"""A small demo centre built through the command line, for the fault tests to break,
with its director signed in (the read commands act as the signed-in account)."""

from pathlib import Path

import pytest

from casework.application import Casework
from casework.cli import main
from casework.demo.accounts import DEMO_PASSWORD, demo_user_name, ensure_demo_accounts
from casework.demo.cast import STAFF
from casework.settings import Settings
from tests.cli.steps import use_store


@pytest.fixture
def demo_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Settings:
    """A SQLite store holding a demo centre of six cases, named by the environment."""
    settings = Settings.from_env({"CASEWORK_DATA_DIR": str(tmp_path / "store")})
    use_store(monkeypatch, settings)
    assert main(["demo", "--cases", "6"]) == 0
    app = Casework(settings)
    try:
        ensure_demo_accounts(app)
    finally:
        app.close()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("CASEWORK_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("CASEWORK_REQUIRE_TOTP", "0")
    monkeypatch.setenv("CASEWORK_USER_NAME", demo_user_name(STAFF[0][0]))
    monkeypatch.setenv("CASEWORK_PASSWORD", DEMO_PASSWORD)
    assert main(["login", "--role", "centre_director"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return settings
