"""`casework doctor` on SQLite and PostgreSQL: one line per check, OK / WARN / FAILED
with the fix, exit 1 on a failure, and no case content on the screen."""

import base64
import os
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casework.aggregates.base import Actor, Role
from casework.application import Casework
from casework.application.commands.organisation import AddDepartment
from casework.application.deployment_checks import Outcome, check_deployment
from casework.settings import Settings
from casework.store.key_files import write_signing_key
from casework.store.signed_note import COSIGNATURE_V1, verifier_key
from tests.cli.steps import Said, run, use_store

CaptureFixture = pytest.CaptureFixture[str]
CHINESE = re.compile(r"[\u4e00-\u9fff]")  # every demo name and narrative has some


def _lines(said: Said) -> dict[str, str]:
    """Each check's line, by the check's name."""
    found = {}
    for line in said.out.splitlines():
        outcome, rest = line.split(maxsplit=1)
        assert outcome in ("OK", "WARN", "FAILED"), line
        check = re.split(r"\s{2,}", rest, maxsplit=1)[0]
        found[check] = line
    return found


@pytest.fixture
def deployed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> Settings:
    """A small demo centre with its views caught up, as a deployment would run it."""
    use_store(monkeypatch, settings)
    monkeypatch.delenv("CASEWORK_WITNESSES", raising=False)
    assert run(capsys, "demo", "--cases", "4").status == 0
    assert run(capsys, "projections", "run", "--once").status == 0
    return settings


def test_a_healthy_deployment_is_ok_and_shows_no_case_content(
    deployed: Settings, capsys: CaptureFixture
) -> None:
    said = run(capsys, "doctor")
    assert said.status == 0, said.out
    lines = _lines(said)
    for check in ("store", "master key", "signing key", "views", "checkpoints", "clock"):
        assert lines[check].startswith("OK "), lines[check]
    assert "matches the store" in lines["master key"]
    assert "lag 0 events" in lines["views"] and "generation 1" in lines["views"]
    assert "0 events after it" in lines["checkpoints"]
    assert "none configured" in lines["witnesses"]
    if deployed.database_url.startswith("postgresql"):
        assert "database server's clock" in lines["clock"]
    assert not CHINESE.search(said.out), "no names, no narratives"


def test_a_signing_key_beside_the_database_is_warned_about(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    """The demo's default layout keeps the keys in the data directory, beside the file."""
    use_store(monkeypatch, sqlite_settings)
    assert run(capsys, "demo", "--cases", "2").status == 0
    said = run(capsys, "doctor")
    line = _lines(said)["signing key placement"]
    assert line.startswith("WARN ") and "lives beside the database" in line
    assert "fix: keep it on another machine" in line.lower()
    assert said.status == 0


def test_a_wrong_master_key_fails(
    deployed: Settings, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    monkeypatch.setenv("CASEWORK_MASTER_KEY", base64.b64encode(os.urandom(32)).decode())
    said = run(capsys, "doctor")
    assert said.status == 1
    line = _lines(said)["master key"]
    assert line.startswith("FAILED ") and "the store is sealed under" in line
    assert "fix: put the key the store was sealed under in place" in line


def test_a_signing_key_others_can_read_fails(deployed: Settings, capsys: CaptureFixture) -> None:
    deployed.signing_key_file.chmod(0o644)
    said = run(capsys, "doctor")
    assert said.status == 1
    line = _lines(said)["signing key"]
    assert line.startswith("FAILED ") and f"chmod 600 {deployed.signing_key_file}" in line


def test_a_signing_key_that_did_not_sign_the_ledger_fails(
    deployed: Settings, capsys: CaptureFixture
) -> None:
    deployed.signing_key_file.unlink()
    deployed.verify_key_file.unlink()
    write_signing_key(deployed.signing_key_file)  # a new pair: the checkpoints are not its
    said = run(capsys, "doctor")
    assert said.status == 1
    assert "the latest checkpoint is signed by" in _lines(said)["signing key"]


def test_views_without_a_runner_are_warned_about(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    use_store(monkeypatch, settings)
    assert run(capsys, "demo", "--cases", "2").status == 0  # no runner ever ran
    said = run(capsys, "doctor")
    line = _lines(said)["views"]
    assert line.startswith("WARN ") and "stopped: no runner: " in line
    assert "fix: start a runner" in line
    assert said.status == 0


def _write_unsigned(settings: Settings) -> None:
    """One event written by a script that signs no checkpoint on exit."""
    app = Casework(settings)
    try:
        centre_id = app.get_organisation().centres[0].centre_id
        administrator = next(s for s in app.list_staff() if Role.ADMINISTRATOR in s.roles)
        app.add_department(
            Actor(administrator.id, Role.ADMINISTRATOR),
            AddDepartment(centre_id=centre_id, name="社区部 Community"),
        )
    finally:
        app.close()


def test_an_old_checkpoint_with_events_after_it_fails(deployed: Settings) -> None:
    _write_unsigned(deployed)
    now = datetime.now(tz=UTC)
    today = {f.check: f for f in check_deployment(deployed)}
    assert today["checkpoints"].outcome is Outcome.OK  # signed a moment ago
    hours = {f.check: f for f in check_deployment(deployed, lambda: now + timedelta(hours=3))}
    assert hours["checkpoints"].outcome is Outcome.WARN
    later = {f.check: f for f in check_deployment(deployed, lambda: now + timedelta(days=2))}
    assert later["checkpoints"].outcome is Outcome.FAILED
    assert "1 events after it" in later["checkpoints"].said
    assert "casework ledger checkpoint" in later["checkpoints"].fix


def test_a_clock_behind_the_store_fails(deployed: Settings) -> None:
    behind = datetime.now(tz=UTC) - timedelta(hours=1)
    found = {f.check: f for f in check_deployment(deployed, lambda: behind)}
    assert found["clock"].outcome is Outcome.FAILED
    assert "NTP" in found["clock"].fix


@pytest.fixture
def witness_url() -> Iterator[str]:
    """Something answering HTTP (a witness that is up)."""

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _witness_entry(url: str, name: str) -> str:
    public = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    return f"{url} {verifier_key(name, public, COSIGNATURE_V1)}"


def test_witnesses_are_checked_for_reachability(
    deployed: Settings,
    witness_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: CaptureFixture,
) -> None:
    up = _witness_entry(witness_url, "witness.example/up")
    down = _witness_entry("http://127.0.0.1:9", "witness.example/down")
    monkeypatch.setenv("CASEWORK_WITNESSES", f"{up},{down}")
    said = run(capsys, "doctor")
    lines = _lines(said)
    assert lines["witness witness.example/up"].startswith("OK ")
    assert lines["witness witness.example/down"].startswith("WARN ")
    assert said.status == 0

    monkeypatch.setenv("CASEWORK_WITNESS_POLICY", "2")
    said = run(capsys, "doctor")
    assert said.status == 1
    assert _lines(said)["witness policy"].startswith("FAILED ")


def test_no_store_fails_with_the_fix(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    monkeypatch.setenv("CASEWORK_DATA_DIR", f"{tmp_path}/nothing")
    monkeypatch.delenv("CASEWORK_DATABASE_URL", raising=False)
    said = run(capsys, "doctor")
    assert said.status == 1
    assert _lines(said)["store"].startswith("FAILED ")
    assert "casework keys init" in said.out
