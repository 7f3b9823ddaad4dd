"""The disk holding a SQLite store fills up during writes, on a small tmpfs the test
mounts (the tests run as root; the filesystem is unmounted afterwards): the command
line says so in a line (and warns that what it stored before is not yet covered by a
checkpoint), the API answers 507 `storage_full`, nothing acknowledged
is lost and nothing is half-written (SQLite's integrity check and `casework verify`
pass), and once space is freed the same store takes writes again. (PostgreSQL keeps
its files on the server; its `disk_full` error is mapped the same way, in
`store.failures`.) `verify` of a read-only copy is in tests/cli/test_cli_errors.py."""

import errno
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from casework.application import Casework
from casework.settings import Settings
from casework.store.key_files import create_key_files
from tests.api.conftest import serve
from tests.api.test_case_story import note
from tests.cli.steps import Said, refused, run, sqlite_file, use_store
from tests.faults.test_lost_commits import narratives, opened_case

MOUNT, UMOUNT = shutil.which("mount") or "/bin/mount", shutil.which("umount") or "/bin/umount"
CaptureFixture = pytest.CaptureFixture[str]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB filesystem of the test's own."""
    if os.geteuid() != 0:
        pytest.fail("the disk-full tests mount a tmpfs: run them as root")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run([MOUNT, "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)], check=True)  # noqa: S603
    try:
        yield disk
    finally:
        subprocess.run([UMOUNT, "--lazy", str(disk)], check=True)  # noqa: S603


def fill(disk: Path, leave: int) -> Path:
    """Write a file until the filesystem has no space left, then give back `leave`
    bytes (the next writes run into the full disk part-way); returns the file."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
    os.truncate(filler, filler.stat().st_size - leave)
    return filler


def integrity(settings: Settings) -> list[str]:
    with closing(sqlite3.connect(sqlite_file(settings))) as conn:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]


def test_the_command_line_says_the_disk_is_full_and_the_store_is_whole_after(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    settings = Settings.from_env({"CASEWORK_DATA_DIR": str(small_disk / "data")})
    use_store(monkeypatch, settings)
    filler = fill(small_disk, leave=1024 * 1024)

    # The demo centre is built until the disk is full part-way.
    said = run(capsys, "demo", "--cases", "40")
    error, *warnings = said.err.splitlines()
    refused(Said(said.status, said.out, error + "\n"), "disk", "full", "free some space")
    # What was stored before the disk filled could not be covered by a checkpoint either.
    assert all(w.startswith("casework: warning: ") and "full" in w for w in warnings), warnings
    # Nothing stored is damaged: verify checks the store while the disk is still full.
    said = run(capsys, "verify")
    assert said.status == 0 and "OK: nothing in the log was altered" in said.out, said

    filler.unlink()
    assert integrity(settings) == ["ok"]
    said = run(capsys, "verify")
    assert said.status == 0 and "OK: nothing in the log was altered" in said.out, said
    assert run(capsys, "demo", "--cases", "40").status == 0  # resumes where it stopped
    said = run(capsys, "verify")
    assert said.status == 0 and "OK: nothing in the log was altered" in said.out, said


def test_a_store_opened_on_a_full_disk_is_said_to_be_on_a_full_disk_not_damaged(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    """SQLite cannot make its -shm file on a full disk, and says "disk I/O error"; the
    database is sound, so nobody is told to restore it from a backup."""
    settings = Settings.from_env({"CASEWORK_DATA_DIR": str(small_disk / "data")})
    use_store(monkeypatch, settings)
    assert run(capsys, "demo", "--cases", "2").status == 0
    filler = fill(small_disk, leave=0)
    said = run(capsys, "ledger", "checkpoint")
    refused(said, "disk", "is full", "free some space")
    assert "backup" not in said.err and "damaged" not in said.err
    filler.unlink()
    assert integrity(settings) == ["ok"]


def test_the_api_answers_507_when_the_disk_fills_and_keeps_every_acknowledged_note(
    small_disk: Path,
) -> None:
    settings = Settings.from_env({"CASEWORK_DATA_DIR": str(small_disk / "data")})
    create_key_files(settings)  # the master key, and the ledger's signing key
    master_key = settings.load_master_key()
    for served in serve(settings, master_key):
        case = opened_case(served)
        filler = fill(small_disk, leave=256 * 1024)
        acknowledged: list[str] = []
        tag = case.etag
        for n in range(5000):  # a bound: the disk is full long before
            text = f"第 {n} 条 note {n} " + " ".join(["记录"] * 200)
            answer = served.client.post(
                case.notes, json=note(text), headers={**case.worker, "If-Match": tag}
            )
            if answer.status_code != 201:
                break
            acknowledged.append(text)
            tag = answer.headers["etag"]
        assert acknowledged, "the disk filled before the first note"
        assert answer.status_code == 507, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["rule"] == "storage_full"
        assert "Traceback" not in answer.text and "sqlite" not in answer.text.lower()
        # A read while the disk is full shows nothing, since its access cannot be recorded.
        read = served.client.get(f"/api/v1/cases/{case.case_id}", headers=case.worker)
        assert (read.status_code, read.json()["rule"]) == (503, "access_not_recorded")

        filler.unlink()
        assert integrity(settings) == ["ok"]
        assert narratives(served, case.case_id) == acknowledged
        more = served.client.post(
            case.notes,
            json=note("空间已释放 space freed"),
            headers={**case.worker, "If-Match": tag},
        )
        assert more.status_code == 201, more.text

    app = Casework(settings, master_key)
    try:
        app.checkpoint()
        report = app.verify()
        assert report.ok, report.lines()
    finally:
        app.close()
