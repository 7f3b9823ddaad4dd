"""Records load through casework's projector (`apply_events`), not the library's
`project_aggregate` with its per-event protocol check, and come out the same: same
class, same `__dict__`, for every kind of record the demo centre holds, from the
start of the stream or from a snapshot, at the head or at a named version."""

import gc
from typing import Any
from unittest.mock import patch
from uuid import UUID

from eventsourcing.application import project_aggregate

from casework import demo
from casework.aggregates.case import Case
from casework.application import Casework, repository
from tests.builders.cases import open_case, record_note


def _streams(app: Casework) -> dict[UUID, int]:
    """Every record in the log and its last version, read from the clear columns."""
    last: dict[UUID, int] = {}
    start = 0
    while page := app.recorder.select_notifications(
        start=start, limit=500, inclusive_of_start=False
    ):
        for notification in page:
            last[notification.originator_id] = notification.originator_version
        start = page[-1].id
    return last


def _as_the_library_projects(app: Casework, record_id: UUID, version: int | None) -> Any:
    """The library's own projection from the first event, no snapshot."""
    return project_aggregate(None, app.events.get(record_id, lte=version))


def test_every_record_of_the_demo_centre_loads_as_the_library_projects_it(app: Casework) -> None:
    demo.build_demo(app, cases=40)
    long_case = open_case(app)
    for i in range(app.snapshotting_intervals[Case] + 7):
        record_note(app, long_case, f"visit {i}")
    streams = _streams(app)
    kinds = set()
    with patch.object(repository, "apply_events", wraps=repository.apply_events) as projector:
        for record_id, last in streams.items():
            for version in (None, max(1, last // 2)):
                loaded = app.repository.get(record_id, version=version)
                expected = _as_the_library_projects(app, record_id, version)
                assert type(loaded) is type(expected)
                assert vars(loaded) == vars(expected), (type(loaded).__name__, version)
            kinds.add(type(loaded).__name__)
    assert projector.call_count == 2 * len(streams)
    assert {"Case", "Staff", "Referral", "Review", "Organisation", "Agency"} <= kinds
    assert {"SupervisionSession", "SupervisionSchedule", "CaseDiscussion"} <= kinds
    assert app.snapshots is not None
    assert list(app.snapshots.get(long_case)), "the long case was loaded from a snapshot"


def test_snapshots_are_taken_with_casework_s_projector(app: Casework) -> None:
    case_id = open_case(app)
    interval = app.snapshotting_intervals[Case]
    with patch.object(repository, "apply_events", wraps=repository.apply_events) as projector:
        for i in range(interval - 1):
            record_note(app, case_id, f"visit {i}")
    assert projector.call_count >= interval - 1
    assert app.snapshots is not None
    (snapshot,) = app.snapshots.get(case_id)
    assert snapshot.originator_version == interval
    assert vars(snapshot.mutate(None)) == vars(_as_the_library_projects(app, case_id, interval))


def test_a_long_record_is_rebuilt_with_the_cycle_collector_held_off(app: Casework) -> None:
    case_id = open_case(app)
    for i in range(app.repository.snapshot_from + 3):
        record_note(app, case_id, f"visit {i}")
    seen: list[bool] = []
    apply_events = repository.apply_events

    def watching(record: Any, events: Any) -> Any:
        seen.append(gc.isenabled())
        return apply_events(record, events)

    gc.enable()
    with patch.object(repository, "apply_events", watching):
        case = app.repository.get(case_id)
    assert case.version == app.repository.snapshot_from + 4
    assert seen == [False]
    assert gc.isenabled()


def test_a_projector_given_by_the_caller_is_used_as_given(app: Casework) -> None:
    case_id = open_case(app)
    record_note(app, case_id, "first visit")
    calls: list[int] = []

    def counting(record: Any, events: Any) -> Any:
        calls.append(1)
        return project_aggregate(record, events)

    assert app.repository.get(case_id, projector_func=counting).version == 2
    assert calls == [1]
