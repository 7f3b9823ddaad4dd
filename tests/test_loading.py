"""Loading records: short streams skip the snapshot look-up, long ones start from one."""

from unittest.mock import patch

from casework.application import Casework
from tests.cases import open_case, record_note


def test_a_short_case_loads_without_asking_for_a_snapshot(store: Casework) -> None:
    case_id = open_case(store)
    record_note(store, case_id, "first visit")
    assert store.snapshots is not None
    with patch.object(store.snapshots, "get", wraps=store.snapshots.get) as asked:
        assert store.get_case(case_id).version == 2
    assert asked.call_count == 0


def test_a_long_case_loads_from_its_latest_snapshot(store: Casework) -> None:
    case_id = open_case(store)
    interval = store.repository.snapshot_from
    for i in range(interval + 5):
        record_note(store, case_id, f"visit {i}")
    assert store.snapshots is not None
    with patch.object(store.snapshots, "get", wraps=store.snapshots.get) as asked:
        case = store.get_case(case_id)
    assert asked.call_count == 1
    assert case.version == interval + 6
    assert len(case.note_ids) == interval + 5
    assert store.get_case(case_id, version=3).version == 3
