"""Backup and restore (docs/backup-and-restore.md): a backup taken while a writer keeps
writing, restored into an empty place with the key directory restored beside it,
verifies against a checkpoint exported before the backup, and every record in it
opens. After an erasure, rotating the master key and destroying the old one leaves old
backups opening nothing at all, while the live store (and every backup taken after the
rotation) serves every other case and not the erased one."""

import shutil
import sqlite3
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from eventsourcing.persistence import ProgrammingError, StoredEvent

from casework.application import Casework
from casework.application.compliance import Erased
from casework.cli import main
from casework.cli.backup import STATE_SUFFIX, back_up
from casework.settings import Settings
from casework.store.errors import MasterKeyError
from casework.store.ledger import Checkpoint
from casework.store.ledger_state import STATE_FILE_NAME
from casework.store.master_key import MasterKey
from casework.store.sql import Dialect
from tests.builders.cases import open_case, record_note
from tests.builders.centre import open_family_case
from tests.builders.compliance_steps import erase_with_four_eyes, family_case, give_ledger_key
from tests.conftest import POSTGRES_URL

# The client tools installed with the server (PATH, or the server's bin directory).
PG_BIN = [Path(p).parent for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))]
PG_DUMP = shutil.which("pg_dump") or str(PG_BIN[-1] / "pg_dump" if PG_BIN else "pg_dump")
PG_RESTORE = shutil.which("pg_restore") or str(
    PG_BIN[-1] / "pg_restore" if PG_BIN else "pg_restore"
)


class Writer:
    """Another process's worth of writing: notes on its own case, a checkpoint now and
    then, until stopped; counts what it has stored."""

    def __init__(self, settings: Settings, master_key: MasterKey) -> None:
        self.app = Casework(settings, master_key)
        self.case_id = open_case(self.app)
        self.written = 0
        self.started = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                record_note(self.app, self.case_id, f"note {self.written} while backing up")
                self.written += 1
                if self.written % 10 == 0:
                    self.app.checkpoint()
                if self.written >= 20:
                    self.started.set()
        except BaseException as error:  # reported by stop(), in the test's thread
            self.error = error
            self.started.set()

    def __enter__(self) -> "Writer":
        self._thread.start()
        assert self.started.wait(60), "the writer never got going"
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(60)
        self.app.close()
        assert self.error is None, self.error


def store_with_history(settings: Settings, master_key: MasterKey) -> tuple[Casework, list[UUID]]:
    app = Casework(settings, master_key)
    give_ledger_key(app)
    cases = [open_case(app, f"problem {n}") for n in range(4)]
    for n, case_id in enumerate(cases):
        for k in range(n + 2):
            record_note(app, case_id, f"home visit {k} on case {n}")
    return app, cases


def restored_key_dir(live: Settings, restored: Path, state_copy: Path | None) -> None:
    """The key directory as restored from its own backup: the signing key pair (the
    master key is passed in), and the ledger state file copied with the backup."""
    keys = restored / "keys"
    keys.mkdir(parents=True, mode=0o700)
    for name in (live.signing_key_file.name, live.verify_key_file.name):
        shutil.copy2(live.key_dir / name, keys / name)
    if state_copy is not None:
        shutil.copy2(state_copy, keys / STATE_FILE_NAME)


def every_record_opens(app: Casework) -> int:
    """Every stored event decrypts and decodes; returns how many there are."""
    rows = list(app.ledger.rows())
    for row in rows:
        stored = StoredEvent(row.originator_id, row.originator_version, row.topic, row.state)
        event = app.sealing.to_domain_event(stored)
        assert (event.originator_id, event.originator_version) == (
            row.originator_id,
            row.originator_version,
        )
    return len(rows)


def checkpoint_exported(app: Casework, tmp_path: Path) -> tuple[Checkpoint, Path]:
    """The store checkpoints and the operator exports that checkpoint before the backup."""
    app.checkpoint()
    before = app.latest_checkpoint()
    assert before is not None
    exported = tmp_path / "checkpoint-before-backup.json"
    before.write(exported)
    return before, exported


def test_a_sqlite_backup_taken_while_writing_restores_and_verifies(
    tmp_path: Path, master_key: MasterKey
) -> None:
    live = Settings.from_env({"CASEWORK_DATA_DIR": str(tmp_path / "live")})
    app, cases = store_with_history(live, master_key)
    before, exported = checkpoint_exported(app, tmp_path)
    (tmp_path / "backups").mkdir()
    target = tmp_path / "backups" / "casework.db"

    with Writer(live, master_key) as writer:
        taken = back_up(live, target)
        written_at_backup = writer.written
    live_events = app.ledger.event_count()
    app.close()

    assert target.stat().st_mode & 0o777 == 0o600
    assert not target.with_name(target.name + "-wal").exists()
    assert taken.state_copy == target.with_name(target.name + STATE_SUFFIX)
    assert before.tree_size < taken.events < live_events  # mid-stream, not before or after
    assert written_at_backup > 0

    restored_dir = tmp_path / "restored"  # an empty directory
    restored_dir.mkdir(mode=0o700)
    shutil.copy2(target, restored_dir / "casework.db")
    restored_key_dir(live, restored_dir, taken.state_copy)
    restored = Casework(Settings.from_env({"CASEWORK_DATA_DIR": str(restored_dir)}), master_key)
    try:
        report = restored.verify(against=exported)
        assert report.ok, report.lines()
        assert report.events == taken.events
        assert every_record_opens(restored) == taken.events
        for case_id in cases:
            assert restored.repository.get(case_id).id == case_id
        # The restored store carries on: its next checkpoint extends the old ones.
        record_note(restored, cases[0], "written after the restore")
        assert restored.checkpoint() is not None
        assert restored.verify(against=exported).ok
    finally:
        restored.close()


def test_a_restore_under_the_live_state_file_is_named_a_rollback(
    tmp_path: Path, master_key: MasterKey
) -> None:
    """Restoring an older backup beside the live key directory's state file (which
    remembers checkpoints signed after the backup) is what it is: the ledger went back.
    `verify` says so, and no checkpoint is signed over it."""
    live = Settings.from_env({"CASEWORK_DATA_DIR": str(tmp_path / "live")})
    app, cases = store_with_history(live, master_key)
    app.checkpoint()
    (tmp_path / "backups").mkdir()
    target = tmp_path / "backups" / "casework.db"
    back_up(live, target)
    record_note(app, cases[1], "after the backup")
    app.checkpoint()
    app.close()

    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    shutil.copy2(target, restored_dir / "casework.db")
    restored_key_dir(live, restored_dir, live.key_dir / STATE_FILE_NAME)
    restored = Casework(Settings.from_env({"CASEWORK_DATA_DIR": str(restored_dir)}), master_key)
    try:
        report = restored.verify()
        assert not report.ok
        assert "checkpoints_rolled_back" in report.kinds(), report.lines()
    finally:
        restored.close()


@pytest.fixture
def restore_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (dropped afterwards), as `pg_restore` needs."""
    name = f"cw_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_a_postgres_dump_taken_while_writing_restores_and_verifies(
    tmp_path: Path, postgres_settings: Settings, master_key: MasterKey, restore_database: str
) -> None:
    app, cases = store_with_history(postgres_settings, master_key)
    before, exported = checkpoint_exported(app, tmp_path)
    schema = app.database.dialect.schema
    assert schema
    dump = tmp_path / "casework.dump"

    with Writer(postgres_settings, master_key):
        subprocess.run(  # noqa: S603 - our own arguments
            [PG_DUMP, "-Fc", "-n", schema, "-f", str(dump), POSTGRES_URL],
            check=True,
            capture_output=True,
        )
    app.close()
    subprocess.run(  # noqa: S603 - our own arguments
        [PG_RESTORE, "--no-owner", "-d", restore_database, str(dump)],
        check=True,
        capture_output=True,
    )

    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    restored_key_dir(postgres_settings, restored_dir, None)
    restored = Casework(
        Settings.from_env(
            {
                "CASEWORK_DATA_DIR": str(restored_dir),
                "CASEWORK_DATABASE_URL": f"{restore_database}?schema={schema}",
            }
        ),
        master_key,
    )
    try:
        report = restored.verify(against=exported)
        assert report.ok, report.lines()
        assert report.events > before.tree_size  # the writer's notes up to the dump
        assert every_record_opens(restored) == report.events
        for case_id in cases:
            assert restored.repository.get(case_id).id == case_id
        # The append-only triggers came back with the tables.
        events = restored.database.dialect.table(restored.database.events_table)
        with (
            pytest.raises(ProgrammingError, match="append-only"),
            restored.factory.datastore.transaction(commit=True) as c,  # type: ignore[attr-defined]
        ):
            c.execute(f"DELETE FROM {events}")
    finally:
        restored.close()


def test_after_an_erasure_and_a_master_key_rotation_old_backups_open_nothing(
    tmp_path: Path, master_key: MasterKey
) -> None:
    live = Settings.from_env({"CASEWORK_DATA_DIR": str(tmp_path / "live")})
    app = Casework(live, master_key)
    give_ledger_key(app)
    centre, erased_case = family_case(app, notes=2)
    other_case = open_family_case(app, centre)
    app.checkpoint()
    (tmp_path / "backups").mkdir()
    old_backup = tmp_path / "backups" / "before-erasure.db"
    back_up(live, old_backup)

    erase_with_four_eyes(app, erased_case, centre.head, centre.director, "consent withdrawn", "DPO")
    new_master = MasterKey.generate("the master key after the erasure")
    app.keyring.rotate_master(new_master)
    del master_key  # destroyed, as the procedure says: from here on only the new key
    new_backup = tmp_path / "backups" / "after-rotation.db"
    back_up(live, new_backup)
    app.close()

    # The old backup: every data key in it is wrapped by the destroyed master key, so
    # the new key opens none of them (the erased case's, and every other case's too),
    # and the store refuses to start under it.
    with sqlite3.connect(old_backup) as conn:
        rows = conn.execute(
            "SELECT key_id, scope_id, wrapped_key FROM casework_data_keys"
        ).fetchall()
    scopes = {Dialect.uuid_value(scope) for _, scope, _ in rows}
    assert {erased_case, other_case} <= scopes
    for key_id, scope_id, wrapped in rows:
        assert wrapped is not None  # the erased case's key is still in the old backup ...
        with pytest.raises(MasterKeyError):  # ... and no longer opens
            new_master.unwrap(wrapped, Dialect.uuid_value(key_id), Dialect.uuid_value(scope_id))
    old_dir = tmp_path / "restored-old"
    old_dir.mkdir()
    shutil.copy2(old_backup, old_dir / "casework.db")
    with pytest.raises(MasterKeyError, match="not the key of this store"):
        Casework(Settings.from_env({"CASEWORK_DATA_DIR": str(old_dir)}), new_master)

    # The live store and a backup taken after the rotation: every other case opens,
    # the erased one reads as erased.
    new_dir = tmp_path / "restored-new"
    new_dir.mkdir()
    shutil.copy2(new_backup, new_dir / "casework.db")
    restored_key_dir(live, new_dir, None)
    for settings in (live, Settings.from_env({"CASEWORK_DATA_DIR": str(new_dir)})):
        store = Casework(settings, new_master)
        try:
            assert store.read_case(centre.worker, other_case).case.id == other_case
            with pytest.raises(Erased):
                store.read_case(centre.worker, erased_case)
        finally:
            store.close()


def test_the_backup_command_writes_a_new_private_file_and_names_what_it_holds(
    tmp_path: Path,
    master_key: MasterKey,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    live = Settings.from_env({"CASEWORK_DATA_DIR": str(tmp_path / "live")})
    app, _ = store_with_history(live, master_key)
    app.checkpoint()
    events = app.ledger.event_count()
    app.close()
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "live"))
    target = tmp_path / "casework-backup.db"

    assert main(["backup", "--to", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"backed up {events} events into {target}" in out
    assert f"its latest checkpoint: 1 ({events} events" in out
    assert "key directory" in out
    assert target.stat().st_mode & 0o777 == 0o600

    # Never over an existing file, and never a directory made on the way.
    assert main(["backup", "--to", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["backup", "--to", str(tmp_path / "missing" / "b.db")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()


@pytest.mark.postgres
def test_the_backup_command_sends_postgres_stores_to_pg_dump(
    tmp_path: Path,
    postgres_settings: Settings,
    master_key: MasterKey,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    Casework(postgres_settings, master_key).close()
    monkeypatch.setenv("CASEWORK_DATABASE_URL", postgres_settings.database_url)
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(postgres_settings.data_dir))
    assert main(["backup", "--to", str(tmp_path / "b.db")]) == 2
    assert "pg_dump -Fc" in capsys.readouterr().err
    assert not (tmp_path / "b.db").exists()
