"""Loading records: short streams skip the snapshot look-up, long ones start from one."""

import gc
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

from casework.aggregates.case import Case
from casework.aggregates.staff import Staff
from casework.application import Casework
from tests.builders.cases import open_case, record_note
from tests.builders.centre import family_centre, open_family_case


def test_a_short_case_loads_without_asking_for_a_snapshot(store: Casework) -> None:
    case_id = open_case(store)
    record_note(store, case_id, "first visit")
    assert store.snapshots is not None
    with patch.object(store.snapshots, "get", wraps=store.snapshots.get) as asked:
        assert store.repository.get(case_id).version == 2
    assert asked.call_count == 0


def test_a_long_case_loads_from_its_latest_snapshot(store: Casework) -> None:
    case_id = open_case(store)
    interval = store.repository.snapshot_from
    for i in range(interval + 5):
        record_note(store, case_id, f"visit {i}")
    assert store.snapshots is not None
    with patch.object(store.snapshots, "get", wraps=store.snapshots.get) as asked:
        case = store.repository.get(case_id)
    assert asked.call_count == 1
    assert case.version == interval + 6
    assert len(case.note_ids) == interval + 5
    assert store.repository.get(case_id, version=3).version == 3


def test_a_named_version_of_a_long_case_starts_from_its_snapshot(store: Casework) -> None:
    # As-of replay names the version: no need to read the stream's head first.
    case_id = open_case(store)
    interval = store.snapshotting_intervals[Case]
    for i in range(interval + 5):
        record_note(store, case_id, f"visit {i}")
    recorder = store.events.recorder
    with patch.object(recorder, "select_events", wraps=recorder.select_events) as read:
        case = store.repository.get(case_id, version=interval + 3)
    assert case.version == interval + 3
    assert read.call_count == 1
    assert read.call_args.kwargs["gt"] == interval


def test_loading_leaves_the_cycle_collector_as_it_found_it(app: Casework) -> None:
    case_id = open_case(app)
    for i in range(app.repository.snapshot_from + 1):
        record_note(app, case_id, f"visit {i}")
    try:
        for enabled in (True, False):
            gc.enable() if enabled else gc.disable()
            with ThreadPoolExecutor(4) as pool:
                loaded = list(pool.map(lambda _: app.repository.get(case_id), range(8)))
            assert {c.version for c in loaded} == {loaded[0].version}
            assert gc.isenabled() is enabled
    finally:
        gc.enable()


def test_once_a_store_is_open_full_collections_leave_the_long_lived_objects_alone(
    app: Casework,
) -> None:
    # Modules, classes and the application's machinery live as long as the process:
    # a full collection walking them stalled one long replay in a hundred.
    assert gc.get_freeze_count() > 10_000


def test_a_busy_leads_record_loads_from_a_recent_snapshot(store: Casework) -> None:
    # Every command its person gives loads their staff record: it is snapshotted more
    # often than a case, and a load through the service layer starts from the snapshot.
    centre = family_centre(store)
    interval = store.snapshotting_intervals[Staff]
    assert interval < store.snapshotting_intervals[Case]
    for _ in range(interval):
        open_family_case(store, centre)
    staff_id = centre.worker.staff_id
    recorder = store.events.recorder
    with patch.object(recorder, "select_events", wraps=recorder.select_events) as read:
        staff = store.load(staff_id, Staff, "staff member")
    assert len(staff.lead_case_ids) == interval
    assert read.call_args.kwargs["gt"] == interval
