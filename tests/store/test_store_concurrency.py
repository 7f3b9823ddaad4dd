"""Two people writing the same case at once; projections tailing a log under load."""

import threading
from uuid import UUID

import pytest

from casework.application import Casework
from casework.application.errors import Conflict
from tests.builders.cases import WORKER, open_case, record_note, unsaved_case


def test_two_workers_appending_to_the_same_case_version_one_wins_one_is_told(
    store: Casework,
) -> None:
    case_id = open_case(store)
    # Two workers, each with their own connection pool, load the same version...
    apps = [Casework(store.settings, store.keyring.master) for _ in range(2)]
    cases = [a.repository.get(case_id) for a in apps]
    assert {c.version for c in cases} == {1}
    for n, case in enumerate(cases):
        case.record_note(WORKER, "phone", f"writer {n}", 10)

    start = threading.Barrier(2)
    outcomes: list[str] = []

    def write(app: Casework, case: object) -> None:
        start.wait()
        try:
            app.save(case)
            outcomes.append("saved")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=write, args=pair) for pair in zip(apps, cases, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["conflict", "saved"]
    stored = store.repository.get(case_id)
    assert stored.version == 2 and len(stored.note_ids) == 1
    for a in apps:
        a.close()


def test_a_stale_version_from_the_reader_is_a_conflict(store: Casework) -> None:
    case_id = open_case(store)
    record_note(store, case_id, "first", expected_version=1)
    with pytest.raises(Conflict, match="version 2, not 1"):
        record_note(store, case_id, "second, written from a stale screen", expected_version=1)
    assert store.repository.get(case_id).version == 2


def test_a_failed_first_save_leaves_neither_events_nor_a_key(store: Casework) -> None:
    case_id = open_case(store)
    copy = Casework(store.settings, store.keyring.master)
    keys_before = copy.key_table.fingerprints()
    # The same case opened twice: the second save conflicts on version 1.
    twin = unsaved_case("twin")
    twin._id = case_id
    for event in twin._pending_events:
        object.__setattr__(event, "originator_id", case_id)
    with pytest.raises(Conflict):
        copy.save(twin)
    assert copy.key_table.fingerprints() == keys_before
    assert copy.repository.get(case_id).presenting_problem == "family conflict"
    copy.close()


@pytest.mark.postgres
def test_postgres_notification_order_follows_commit_order(postgres_settings, master_key) -> None:
    """A reader that remembers the last position it saw must never skip an event that
    committed late with a lower notification id."""
    writers = 6
    cases_each = 25
    app = Casework(postgres_settings, master_key)
    done = threading.Event()
    seen: list[int] = []

    def tail() -> None:
        position = 0
        while True:
            finished = done.is_set()
            batch = app.recorder.select_notifications(
                start=position, limit=500, inclusive_of_start=False
            )
            for n in batch:
                seen.append(n.id)
                position = n.id
            if finished and not batch:
                return

    def write() -> None:
        writer_app = Casework(postgres_settings, master_key)
        for _ in range(cases_each):
            case_id = open_case(writer_app)
            record_note(writer_app, case_id, "note")
        writer_app.close()

    reader = threading.Thread(target=tail)
    reader.start()
    threads = [threading.Thread(target=write) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    reader.join()

    everything = [n.id for n in app.recorder.select_notifications(start=1, limit=10_000)]
    assert len(everything) == writers * cases_each * 2
    assert seen == everything, "the tailing reader skipped or reordered events"
    app.close()


def test_sqlite_writers_in_threads_lose_nothing(sqlite_settings, master_key) -> None:
    app = Casework(sqlite_settings, master_key)
    case_ids: list[UUID] = []
    lock = threading.Lock()

    def write() -> None:
        for _ in range(10):
            case_id = open_case(app)
            record_note(app, case_id, "note")
            with lock:
                case_ids.append(case_id)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(case_ids) == 40
    assert all(app.repository.get(c).version == 2 for c in case_ids)
    ids = [n.id for n in app.recorder.select_notifications(start=1, limit=1000)]
    assert ids == sorted(ids) and len(ids) == 80
    app.close()
