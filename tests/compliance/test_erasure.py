"""Erasure by key destruction: a client's case is erased on an authorised request; its
content is gone from the store, the snapshots, the views and the search index, and from
old backups once the master key is rotated; the ledger still verifies and every other
case is untouched."""

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from casework.access import AccessDenied
from casework.application import Casework
from casework.application.compliance import Erased
from casework.compliance.case_streams import case_rows
from casework.compliance.replay import Basis
from casework.projections import Projections
from casework.settings import Settings
from casework.store.errors import MasterKeyError, RecordErased
from casework.store.keyring import KEY_TRUSTED_FOR
from casework.store.master_key import MasterKey
from tests.builders.centre import FamilyCentre, open_family_case, write_note
from tests.builders.compliance_steps import (
    erase_with_four_eyes,
    family_case,
    give_ledger_key,
    projected_rows,
)

REASON = "the client withdrew consent and asked for her records to be erased"
AUTHORITY = "data protection officer Liang, request DP-2026-014"


def test_an_erased_case_reads_as_erased_on_by_everywhere(store: Casework) -> None:
    give_ledger_key(store)
    centre, case_id = family_case(store, notes=3)
    other_case = open_family_case(store, centre)
    store.checkpoint()

    erasure_id = erase(store, centre, case_id)

    erasure = store.erasure_of(case_id)
    assert erasure is not None and erasure.id == erasure_id
    assert (erasure.erased_by, erasure.authorised_by, erasure.reason) == (
        centre.director.staff_id,
        f"{AUTHORITY}; requested by 黄丽 Huang Li, approved by 梁志强 Liang Zhiqiang",
        REASON,
    )
    attempts = [
        lambda: store.read_case(centre.worker, case_id),
        lambda: write_note(store, centre.worker, case_id, "hello?"),
        lambda: store.replay(centre.director, case_id, datetime.now(UTC)),
        lambda: store.replay(centre.director, case_id, datetime.now(UTC), Basis.OCCURRED),
        lambda: store.export_case(centre.director, case_id),
    ]
    for attempt in attempts:
        with pytest.raises(Erased) as refused:
            attempt()
        message = refused.value.message
        assert "erased on" in message
        assert f"by staff {centre.director.staff_id}" in message
        assert AUTHORITY in message

    assert store.repository.get(other_case).id == other_case
    report = store.verify()
    assert report.ok, report.lines()
    store.checkpoint()
    assert store.verify().ok


def test_a_server_that_had_the_case_open_refuses_it_within_a_second_of_its_erasure(
    store: Casework, settings: Settings, master_key: MasterKey
) -> None:
    """The erasure is carried out elsewhere (`casework erase`, another worker): the
    worker that read the case before holds its data key in memory, and must not go on
    opening the case with it."""
    centre, case_id = family_case(store, notes=2)
    other_case = open_family_case(store, centre)
    worker = Casework(settings, master_key)  # another server process on the same store
    try:
        assert worker.read_case(centre.worker, case_id).case.id == case_id
        erase(store, centre, case_id)
        time.sleep(KEY_TRUSTED_FOR + 0.1)
        for attempt in (
            lambda: worker.read_case(centre.worker, case_id),
            lambda: write_note(worker, centre.worker, case_id, "the notes of a home visit"),
        ):
            with pytest.raises(Erased) as refused:
                attempt()
            assert AUTHORITY in refused.value.message
        assert worker.read_case(centre.worker, other_case).case.id == other_case
    finally:
        worker.close()


def test_nothing_of_the_case_opens_from_the_store_or_its_snapshots(store: Casework) -> None:
    give_ledger_key(store)
    centre, case_id = family_case(store, notes=101)  # past the snapshot interval
    snapshots = list(store.snapshots.recorder.select_events(case_id))  # type: ignore[union-attr]
    assert snapshots

    erase(store, centre, case_id)

    rows = list(case_rows(store.ledger, store.key_table, case_id))
    assert len(rows) > 101  # the opening and 101 notes at least
    for sealed in [*rows[:5], *snapshots]:
        with pytest.raises(RecordErased):
            store.sealing.unseal(sealed)
    assert store.key_table.by_scope(case_id).wrapped_key is None  # type: ignore[union-attr]
    # Even the times events were recorded are forgotten.
    assert store.recorded_at.version_at(case_id, datetime.now(UTC)) is None


def test_the_views_and_the_search_index_forget_the_case(app: Casework) -> None:
    give_ledger_key(app)
    centre, case_id = family_case(app, notes=2)
    projections = Projections(app)
    try:
        projections.catch_up()
        assert projected_rows(projections, case_id) > 0
        assert case_id in app.find_cases_by_client(centre.worker, "name", "王芳 Wang Fang")

        erase(app, centre, case_id)
        projections.catch_up()

        assert projected_rows(projections, case_id) == 0
        assert case_id not in app.find_cases_by_client(centre.worker, "name", "王芳 Wang Fang")
    finally:
        projections.close()


def test_an_old_backup_opens_nothing_once_the_master_key_is_rotated(
    app: Casework, tmp_path: Path, master_key: MasterKey
) -> None:
    give_ledger_key(app)
    centre, case_id = family_case(app, notes=2)
    other_case = open_family_case(app, centre)
    backup_file = tmp_path / "backup" / "casework.db"
    backup_file.parent.mkdir()
    assert app.database.sqlite_path is not None
    with sqlite3.connect(app.database.sqlite_path) as live, sqlite3.connect(backup_file) as copy:
        live.backup(copy)
    backup = Settings.from_env(
        {
            "CASEWORK_DATA_DIR": str(tmp_path / "backup"),
            "CASEWORK_DATABASE_URL": f"sqlite:///{backup_file}",
        }
    )

    erase(app, centre, case_id)
    new_master = MasterKey.generate("the rotated master key")
    app.keyring.rotate_master(new_master)

    # With only the new master key (the old one destroyed, as the backup rule says),
    # the backup opens nothing at all ...
    with pytest.raises(MasterKeyError):
        Casework(backup, new_master)
    # ... while the live store still serves every other case.
    assert Casework(app.settings, new_master).repository.get(other_case).id == other_case
    # Why the rule matters: whoever still holds the old key can read the old backup.
    old = Casework(backup, master_key)
    try:
        assert old.repository.get(case_id).id == case_id
    finally:
        old.close()


def test_only_an_administrator_or_the_director_erases_and_only_once(app: Casework) -> None:
    give_ledger_key(app)
    centre, case_id = family_case(app, notes=1)
    request_id = app.request_erasure(centre.head, case_id, REASON, AUTHORITY)
    app.approve_erasure(centre.director, request_id)
    with pytest.raises(AccessDenied, match="administrator or the director"):
        app.carry_out_erasure(centre.worker, request_id)
    app.carry_out_erasure(centre.director, request_id)
    with pytest.raises(Erased):
        app.carry_out_erasure(centre.director, request_id)
    with pytest.raises(Erased):
        app.request_erasure(centre.director, case_id, REASON, AUTHORITY)


def erase(app: Casework, centre: FamilyCentre, case_id: UUID) -> UUID:
    """The family department's head asks, the centre director approves and erases."""
    return erase_with_four_eyes(app, case_id, centre.head, centre.director, REASON, AUTHORITY)
