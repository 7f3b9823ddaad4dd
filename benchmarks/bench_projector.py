"""Projector micro-benchmark: applying stored events with casework's `apply_events`
against the library's `project_aggregate` (which asserts `isinstance(event,
CanMutateProtocol)`, a runtime-checkable Protocol, for every event).

    (a) apply: the demo centre's events, decoded once, applied in memory by each projector
    (b) load: every record of the demo centre loaded through `repository.get` with each

Rounds alternate between the two; medians are printed.

Run:  python -m benchmarks.bench_projector [--cases 200] [--rounds 7]
Target: casework's projector costs less per event than the library's (ratio < 1.0).
"""

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.application import project_aggregate

from benchmarks.bench_compliance import fresh_store
from casework import demo
from casework.application import Casework
from casework.application.repository import apply_events

Projector = Callable[[Any, Any], Any]


def streams(app: Casework) -> dict[UUID, list[Any]]:
    """Every record's events, decoded (snapshots aside)."""
    found: dict[UUID, list[Any]] = {}
    start = 0
    while page := app.recorder.select_notifications(
        start=start, limit=500, inclusive_of_start=False
    ):
        for notification in page:
            event = app.mapper.to_domain_event(notification)
            found.setdefault(event.originator_id, []).append(event)
        start = page[-1].id
    return found


def time_apply(projector: Projector, events: dict[UUID, list[Any]]) -> float:
    started = time.process_time()
    for stream in events.values():
        projector(None, stream)
    return time.process_time() - started


def time_load(app: Casework, projector: Projector, ids: list[UUID]) -> float:
    if projector is project_aggregate:
        # casework's repository swaps the library's default for its own: wrap it to
        # get the library's projector through the same `get`.
        def projector(record: Any, events: Any) -> Any:
            return project_aggregate(record, events)

    started = time.process_time()
    for record_id in ids:
        app.repository.get(record_id, projector_func=projector)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with fresh_store("sqlite") as app:
        demo.build_demo(app, cases=args.cases)
        events = streams(app)
        count = sum(len(s) for s in events.values())
        ids = list(events)
        print(f"demo centre: {args.cases} cases, {len(ids):,} records, {count:,} events")
        projectors: dict[str, Projector] = {
            "library project_aggregate": project_aggregate,
            "casework apply_events": apply_events,
        }
        for label, timing in (
            ("(a) apply in memory", lambda p: time_apply(p, events)),
            ("(b) load (repository.get)", lambda p: time_load(app, p, ids)),
        ):
            times: dict[str, list[float]] = {name: [] for name in projectors}
            for round_ in range(args.rounds):
                order = list(projectors.items())
                for name, projector in order if round_ % 2 else reversed(order):
                    times[name].append(timing(projector))
            medians = {name: statistics.median(t) for name, t in times.items()}
            print(label)
            for name, median in medians.items():
                print(f"  {name:28} {median * 1e6 / count:8.2f} µs/event (median CPU)")
            library, ours = medians.values()
            print(
                f"  saved {(library - ours) * 1e6 / count:.2f} µs/event; "
                f"casework ÷ library = {ours / library:.2f} (target < 1.0)"
            )


if __name__ == "__main__":
    main()
