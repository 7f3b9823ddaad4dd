"""Scale benchmark: costs that should follow the size of the case, not of the store.

    replay: the same 13-event case replayed "as recorded" at random past instants, in
            a store grown by bulk filler events to each size in turn (2k, 20k, 200k)

Each figure is printed as measured ÷ target (≤ 1.00 meets it).

Run:  python -m benchmarks.bench_scale [--sizes 2000,20000,200000] [--samples 300]
                                        [--backends sqlite,postgres]
Targets: replay median ≤ 10 ms and p99 ≤ 25 ms at every size, on both backends.
"""

import argparse
import random
import statistics
import time
from datetime import UTC, datetime

from benchmarks.bench_compliance import fill, fresh_store
from benchmarks.bench_store import TEXT
from casework.aggregates.case import NoteKind
from casework.application import Casework
from casework.compliance.replay import Basis
from tests.family_centre import build_centre, open_family_case

REPLAY_MEDIAN_MS = 10.0
REPLAY_P99_MS = 25.0


def percentile(timings: list[float], fraction: float) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def a_short_case(app: Casework) -> tuple[object, list[datetime]]:
    """A case of 13 events, each saved on its own: 13 instants to replay at."""
    centre = build_centre(app)
    case_id = open_family_case(app, centre)
    case = app.repository.get(case_id)
    instants = [datetime.now(UTC)]
    while case.version < 13:
        case.record_note(centre.worker, NoteKind.PHONE, TEXT, 5)
        app.save(case)
        instants.append(datetime.now(UTC))
    return case_id, instants


def bench_replay(backend: str, sizes: list[int], samples: int) -> None:
    with fresh_store(backend) as app:
        case_id, instants = a_short_case(app)
        for size in sizes:
            missing = size - app.last_position()
            if missing > 0:
                started = time.perf_counter()
                fill(app, missing)
                app.recorded_at.catch_up()  # as every checkpoint does
                print(
                    f"[{backend}] filled to {app.last_position():,} events "
                    f"in {time.perf_counter() - started:.1f} s"
                )
            timings = []
            for _ in range(samples):
                at = random.choice(instants)
                started = time.perf_counter()
                replay = app._replay(case_id, at, Basis.RECORDED)  # without access checks
                timings.append((time.perf_counter() - started) * 1000)
                assert replay.record is not None
            median, p99 = statistics.median(timings), percentile(timings, 0.99)
            print(
                f"[{backend}] replay of the 13-event case at {app.last_position():>9,} events: "
                f"median {median:.2f} ms = {median / REPLAY_MEDIAN_MS:.2f}× target, "
                f"p99 {p99:.2f} ms = {p99 / REPLAY_P99_MS:.2f}× target"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000,200000")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for backend in args.backends.split(","):
        bench_replay(backend, sizes, args.samples)


if __name__ == "__main__":
    main()
