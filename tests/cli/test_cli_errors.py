"""Every fault an operator meets from the command line is one clear line naming the
cause and the fix, with a non-zero exit status, and nothing in the store is lost."""

import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from casework.settings import Settings
from tests.cli.steps import refused, run, sqlite_file, use_store
from tests.conftest import POSTGRES_URL

CaptureFixture = pytest.CaptureFixture[str]
MOUNT, UMOUNT = shutil.which("mount") or "/bin/mount", shutil.which("umount") or "/bin/umount"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postgres(url_tail: str, tmp_path: Path) -> Settings:
    base = POSTGRES_URL.rsplit("/", 1)[0]
    return Settings.from_env(
        {"CASEWORK_DATA_DIR": str(tmp_path / "data"), "CASEWORK_DATABASE_URL": base + url_tail}
    )


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("//postgres@127.0.0.1:{port}/test", ["cannot reach PostgreSQL", "start the server"]),
        ("/test?schema=cw_absent_{tag}", ["schema 'cw_absent_", "does not exist", "CREATE SCHEMA"]),
        ("/no_such_db_{tag}", ["has no database 'no_such_db_", "createdb"]),
    ],
    ids=["unreachable", "missing schema", "missing database"],
)
def test_postgres_that_cannot_be_used_is_named_with_the_fix(
    url: str,
    words: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: CaptureFixture,
) -> None:
    tag = uuid.uuid4().hex[:8]
    tail = url.format(port=_closed_port(), tag=tag)
    settings = (
        Settings.from_env(
            {
                "CASEWORK_DATA_DIR": str(tmp_path / "data"),
                "CASEWORK_DATABASE_URL": "postgresql:" + tail,
            }
        )
        if tail.startswith("//")
        else _postgres(tail, tmp_path)
    )
    use_store(monkeypatch, settings)
    for argv in (["cases"], ["verify"], ["keys", "init"], ["demo", "--cases", "3"]):
        refused(run(capsys, *argv), *words)
    assert not (tmp_path / "data" / "keys" / "master.key").exists(), "no key beside no store"
    with psycopg.connect(POSTGRES_URL) as conn:
        schemas = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname LIKE %s", [f"%{tag}"])
        assert schemas.fetchone() is None, "casework never creates a schema"


@pytest.mark.postgres
def test_a_role_that_does_not_exist_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    role = f"nobody_{uuid.uuid4().hex[:6]}"
    url = POSTGRES_URL.replace("postgres@", f"{role}@", 1)
    settings = Settings.from_env(
        {"CASEWORK_DATA_DIR": str(tmp_path / "data"), "CASEWORK_DATABASE_URL": url}
    )
    use_store(monkeypatch, settings)
    refused(run(capsys, "cases"), f"has no role '{role}'", "createuser")


def test_a_missing_directory_is_not_made_into_an_empty_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    missing = tmp_path / "not" / "there"
    settings = Settings.from_env(
        {
            "CASEWORK_DATA_DIR": str(tmp_path / "data"),
            "CASEWORK_DATABASE_URL": f"sqlite:///{missing / 'casework.db'}",
        }
    )
    use_store(monkeypatch, settings)
    for argv in (["cases"], ["verify"], ["timeline", str(uuid.uuid4())], ["projections", "status"]):
        refused(run(capsys, *argv), f"no casework store at {missing}", "casework keys init")
    assert not (tmp_path / "not").exists(), "no directory was made"

    said = run(capsys, "keys", "init")  # on purpose: the keys and an empty store
    assert said.status == 0 and "created an empty casework store" in said.out
    said = run(capsys, "projections", "status")
    assert said.status == 0 and "case_index" in said.out


def test_after_a_lost_master_key_nothing_pretends_a_new_key_would_help(
    demo_store: Settings, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture, tmp_path: Path
) -> None:
    key = demo_store.master_key_file
    kept = tmp_path / "master.key.backup"
    shutil.move(key, kept)

    said = run(capsys, "cases")
    refused(said, "no master key", "is sealed under master key fingerprint", "no other way")
    assert "CASEWORK_MASTER_KEY_FILE" not in said.err
    assert "Put the backed-up key" in said.err
    refused(run(capsys, "keys", "init"), "refusing to write a new master key", "was written")
    refused(run(capsys, "demo"), "refusing to write a new master key")
    assert not key.exists(), "no new key beside the sealed store"

    shutil.move(kept, key)  # the backup comes back: everything opens again
    said = run(capsys, "cases")
    assert said.status == 0 and "6 case(s)" in said.out
    assert run(capsys, "verify").status == 0


def test_a_key_that_does_not_open_the_store_names_the_settings_really_read(
    demo_store: Settings, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    monkeypatch.setenv("CASEWORK_MASTER_KEY", "A" * 43 + "=")
    said = run(capsys, "cases")
    refused(said, "is not the key of this store", "CASEWORK_KEY_DIR", "CASEWORK_MASTER_KEY")
    assert "CASEWORK_MASTER_KEY_FILE" not in said.err


def _copy(store: Settings, tmp_path: Path, name: str) -> Settings:
    copy = tmp_path / name
    shutil.copytree(store.data_dir, copy)
    return Settings.from_env({"CASEWORK_DATA_DIR": str(copy)})


def test_a_damaged_database_file_is_reported_as_damaged_and_verify_names_it(
    demo_store: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    garbled = _copy(demo_store, tmp_path, "garbled")
    size = sqlite_file(garbled).stat().st_size
    with sqlite_file(garbled).open("r+b") as f:
        f.seek(size // 2)
        f.write(os.urandom(300))
    use_store(monkeypatch, garbled)
    said = run(capsys, "verify")  # SQLite's check, or the ledger's, names the damage
    assert said.status == 1 and said.err == ""
    assert "FAILED [" in said.out and "OK:" not in said.out

    truncated = _copy(demo_store, tmp_path, "truncated")
    os.truncate(sqlite_file(truncated), size // 3)
    use_store(monkeypatch, truncated)
    refused(run(capsys, "cases"), "is damaged", "truncated", "restore it from a backup")
    said = run(capsys, "verify")
    assert said.status == 1 and "FAILED [damaged_file]" in said.out and "truncated" in said.out

    overwritten = _copy(demo_store, tmp_path, "overwritten")
    sqlite_file(overwritten).write_bytes(os.urandom(size))
    use_store(monkeypatch, overwritten)
    for argv in (["cases"], ["timeline", str(uuid.uuid4())], ["keys", "init"]):
        refused(run(capsys, *argv), "is not a casework store")
    assert "FAILED [damaged_file]" in run(capsys, "verify").out

    use_store(monkeypatch, demo_store)  # the original lost nothing
    said = run(capsys, "verify")
    assert said.status == 0 and "OK: nothing in the log was altered" in said.out


@pytest.fixture
def read_only_copy(demo_store: Settings, tmp_path: Path) -> Iterator[Settings]:
    """A copy of the demo store nobody may write: a read-only mount when the tests run
    as root (who may write any file), the files' write bits removed otherwise."""
    mount = tmp_path / "read-only"
    mount.mkdir()
    as_root = os.geteuid() == 0
    if as_root:
        done = subprocess.run([MOUNT, "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)])  # noqa: S603
        if done.returncode != 0:
            pytest.fail("the read-only test needs to mount a tmpfs when run as root")
    shutil.copytree(demo_store.data_dir, mount / "data")
    if as_root:
        subprocess.run([MOUNT, "-o", "remount,ro", str(mount)], check=True)  # noqa: S603
    else:
        for path in [mount / "data", *(mount / "data").rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
    try:
        yield Settings.from_env({"CASEWORK_DATA_DIR": str(mount / "data")})
    finally:
        if as_root:
            subprocess.run([UMOUNT, "--lazy", str(mount)], check=True)  # noqa: S603
        else:
            for path in [mount / "data", *(mount / "data").rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)


def test_verify_checks_a_read_only_copy_and_writers_say_it_is_read_only(
    read_only_copy: Settings, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    use_store(monkeypatch, read_only_copy)
    before = sorted(p.name for p in read_only_copy.data_dir.iterdir())
    said = run(capsys, "verify")
    assert said.status == 0, said
    assert "OK: nothing in the log was altered" in said.out
    said = run(capsys, "ledger", "checkpoint")
    refused(said, "read-only")
    assert sorted(p.name for p in read_only_copy.data_dir.iterdir()) == before, "no -shm left"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["demo", "--cases", "-1"], ["argument --cases", "-1 is below 1"]),
        (["caseload", "--position", "-5"], ["argument --position", "-5 is below 1"]),
        (["caseload", "--position", "x"], ["argument --position", "not a whole number"]),
        (
            ["replay", str(uuid.uuid4()), "--as-of", "2999-01-01T00:00:00+00:00"],
            ["argument --as-of", "is in the future"],
        ),
    ],
)
def test_values_that_break_an_options_rule_are_refused_by_name(
    argv: list[str], words: list[str], demo_store: Settings, capsys: CaptureFixture
) -> None:
    with pytest.raises(SystemExit) as exited:
        run(capsys, *argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err


def test_unknown_ids_and_contradictory_options_are_refused(
    demo_store: Settings, capsys: CaptureFixture
) -> None:
    nobody = str(uuid.uuid4())
    refused(run(capsys, "timeline", nobody), f"no case {nobody}")
    refused(run(capsys, "referral-chains", "--case", nobody), f"no case {nobody}")
    refused(run(capsys, "cases", "--worker", nobody), f"no staff member {nobody}")
    refused(run(capsys, "caseload", "--position", "999999"), "--position", "beyond the end")
    now = datetime.now(UTC)
    said = run(
        capsys,
        "diff",
        nobody,
        "--since",
        now.isoformat(),
        "--until",
        (now - timedelta(days=1)).isoformat(),
    )
    refused(said, "--since", "is after --until")

    said = run(capsys, "caseload", "--position", "5")
    assert said.status == 0 and "pinned at log position 5" in said.out
    said = run(capsys, "caseload")
    assert said.status == 0 and "pinned" not in said.out


def test_output_piped_into_a_reader_that_stops_ends_quietly(demo_store: Settings) -> None:
    env = {
        **os.environ,
        "CASEWORK_DATA_DIR": str(demo_store.data_dir),
        "CASEWORK_DATABASE_URL": demo_store.database_url,
    }
    command = [sys.executable, "-m", "casework", "cases"]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    process = subprocess.Popen(command, env=env, **pipes)  # noqa: S603 - our own CLI
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # `| head -0`: the reader is gone before the first line
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141, err
    assert err == "", err
