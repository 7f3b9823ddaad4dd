"""An access record is durable before content is shown, on a real SQLite file and a
real PostgreSQL schema (where it is written by one statement): a read whose record
the database refuses shows nothing and leaves nothing half-written; a record whose
connection died is tried again and stored once; recorded reads are found by the
access-log queries and covered by the ledger like every other event; a list's reads
are recorded together, in one commit, or not at all."""

import pytest
from eventsourcing.persistence import OperationalError

from casework.aggregates.access_record import AccessAction
from casework.application import Casework
from casework.application.access_log import AccessNotRecorded, AccessRequest
from casework.settings import Settings
from casework.store.access_index import TABLE
from casework.store.master_key import MasterKey
from tests.builders.centre import family_centre, open_family_case
from tests.builders.compliance_steps import family_case, give_ledger_key


def _lose_the_access_log_table(store: Casework) -> None:
    table = store.database.dialect.table(TABLE)
    with store.factory.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
        c.execute(f"ALTER TABLE {table} RENAME TO access_log_gone")


def test_a_read_whose_record_the_database_refuses_shows_nothing(store: Casework) -> None:
    centre, case_id = family_case(store, notes=1)
    store.read_case(centre.worker, case_id)
    events_before = store.last_position()
    _lose_the_access_log_table(store)

    with pytest.raises(AccessNotRecorded, match="could not be recorded, so nothing is shown"):
        store.read_case(centre.worker, case_id)
    assert store.last_position() == events_before  # no access record without its row


def test_recorded_reads_are_in_the_access_log_and_the_ledger(store: Casework) -> None:
    give_ledger_key(store)
    centre, case_id = family_case(store, notes=2)
    for _ in range(3):
        store.read_case(centre.worker, case_id)
    reads = [
        e
        for e in store.who_read_case(centre.director, case_id)
        if e.action is AccessAction.READ and e.staff_id == centre.worker.staff_id
    ]
    assert len(reads) == 3
    checkpoint = store.checkpoint()
    assert checkpoint is not None and checkpoint.tree_size == store.last_position()
    report = store.verify()
    assert report.ok, report.lines()


def test_a_list_of_three_cases_is_recorded_as_three_reads_in_one_commit(
    store: Casework, monkeypatch: pytest.MonkeyPatch
) -> None:
    centre = family_centre(store)
    case_ids = [open_family_case(store, centre) for _ in range(3)]
    commits = store._access_commits
    batches: list[int] = []
    commit = commits._commit
    monkeypatch.setattr(
        commits, "_commit", lambda writes: (batches.append(len(writes)), commit(writes))
    )
    listed = [
        AccessRequest(AccessAction.READ, case_id=case_id, record_kinds=["summary"], reason="listed")
        for case_id in case_ids
    ]

    record_ids = store.record_accesses(centre.worker, listed)

    assert batches == [3]
    for case_id, record_id in zip(case_ids, record_ids, strict=True):
        reads = [
            e
            for e in store.who_read_case(centre.director, case_id)
            if e.action is AccessAction.READ and e.staff_id == centre.worker.staff_id
        ]
        assert [(e.record_id, e.reason) for e in reads] == [(record_id, "listed")]


def test_an_empty_list_records_nothing(store: Casework) -> None:
    centre = family_centre(store)
    events_before = store.last_position()

    assert store.record_accesses(centre.worker, []) == []
    assert store.last_position() == events_before


def test_a_list_whose_records_the_database_refuses_records_none_of_them(store: Casework) -> None:
    centre = family_centre(store)
    case_ids = [open_family_case(store, centre) for _ in range(2)]
    store.read_case(centre.worker, case_ids[0])
    events_before = store.last_position()
    _lose_the_access_log_table(store)

    with pytest.raises(AccessNotRecorded):
        store.record_accesses(
            centre.worker, [AccessRequest(AccessAction.READ, case_id=i) for i in case_ids]
        )
    assert store.last_position() == events_before


@pytest.mark.postgres
@pytest.mark.parametrize("committed", [True, False], ids=["committed", "not-committed"])
def test_a_record_whose_connection_died_is_written_once(
    postgres_settings: Settings, master_key: MasterKey, monkeypatch: pytest.MonkeyPatch,
    committed: bool,
) -> None:  # fmt: skip
    """The connection is lost as the record is written, after its commit or before: the
    store tries again, and the reader gets the case with exactly one record of it."""
    app = Casework(postgres_settings, master_key)
    try:
        centre, case_id = family_case(app, notes=1)
        index = app.access_index
        write = index._record_once
        lost: list[bool] = []

        def dies_once(*args: object) -> list[int]:
            if not lost:
                lost.append(True)
                if committed:
                    write(*args)  # type: ignore[arg-type]
                raise OperationalError("server closed the connection unexpectedly")
            return write(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(index, "_record_once", dies_once)
        reading = app.read_case(centre.worker, case_id)
        assert reading.case.id == case_id and lost
        reads = [
            e
            for e in app.who_read_case(centre.director, case_id)
            if e.action is AccessAction.READ and e.staff_id == centre.worker.staff_id
        ]
        assert len(reads) == 1
    finally:
        app.close()
