"""Scale benchmark: costs that should follow the size of the case, not of the store.

    replay: the same 13-event case replayed "as recorded" at random past instants, in
            a store grown by bulk filler events to each size in turn (2k, 20k, 200k)
    writes: CPU (`time.process_time`) per intake + note through the service layer, in a
            centre of 2,000 cases and again once it has grown to 20,000; clients drawn
            from 300 names (so a name is shared by ~65 cases at 20k), two lead workers
            (each staff record then lists 10,000 cases)

Each figure is printed as measured ÷ target (≤ 1.00 meets it).

Run:  python -m benchmarks.bench_scale [--parts replay,writes] [--backends sqlite,postgres]
          [--sizes 2000,20000,200000] [--samples 300] [--cases 2000,20000] [--commands 300]
Targets: replay median ≤ 10 ms and p99 ≤ 25 ms at every size, on both backends; CPU per
intake + note at 20k cases ≤ 1.2× at 2k.
"""

import argparse
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from benchmarks.bench_compliance import fill, fresh_store
from benchmarks.bench_store import TEXT
from casework.aggregates.base import Actor
from casework.aggregates.case import Client, Consent, NoteKind, ReferralSource
from casework.aggregates.discipline import Discipline
from casework.application import Casework
from casework.compliance.replay import Basis
from tests.builders.family_centre import Centre, build_centre, open_family_case

REPLAY_MEDIAN_MS = 10.0
REPLAY_P99_MS = 25.0
WRITE_GROWTH = 1.2
NAMES = [
    f"{family} {given}"
    for family in ("Chen", "Li", "Wang", "Zhang", "Liu", "Huang")
    for given in [f"Mei{i}" for i in range(50)]
]


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


def intake(app: Casework, centre: Centre, lead: Actor, rng: random.Random) -> None:
    """One intake (with its duplicate check) and a first note on the new case."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 60))
    case_id = app.open_case(
        lead,
        [Client(uuid4(), rng.choice(NAMES), date_of_birth=born)],
        "a family in a dispute over care of a parent",
        ReferralSource.COMMUNITY_COMMITTEE,
        centre.family,
        lead.staff_id,
        consent=Consent(given=True, on=date(2026, 3, 1), disciplines=[Discipline.SOCIAL_WORK]),
    )
    app.record_note(case_id, lead, NoteKind.HOME_VISIT, TEXT, 45)


def bench_writes(backend: str, sizes: list[int], commands: int) -> None:
    rng = random.Random(15)
    with fresh_store(backend) as app:
        centre = build_centre(app)
        leads = [centre.worker, centre.second_worker]
        opened = 0
        per_command = {}
        for size in sizes:
            started = time.perf_counter()
            while opened < size - commands:
                intake(app, centre, leads[opened % 2], rng)
                opened += 1
            print(f"[{backend}] grown to {opened:,} cases in {time.perf_counter() - started:.0f} s")
            cpu = time.process_time()
            for _ in range(commands):
                intake(app, centre, leads[opened % 2], rng)
                opened += 1
            per_command[size] = (time.process_time() - cpu) / commands
            print(
                f"[{backend}] intake + note at {opened:,} cases: "
                f"{per_command[size] * 1000:.2f} ms CPU per command pair"
            )
        first, last = per_command[sizes[0]], per_command[sizes[-1]]
        ratio = last / first
        print(
            f"[{backend}] CPU per intake + note, {sizes[-1]:,} ÷ {sizes[0]:,} cases: {ratio:.2f} "
            f"= {ratio / WRITE_GROWTH:.2f}× target (≤ {WRITE_GROWTH})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000,200000")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--parts", default="replay,writes")
    parser.add_argument("--cases", default="2000,20000")
    parser.add_argument("--commands", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    parts = args.parts.split(",")
    for backend in args.backends.split(","):
        if "replay" in parts:
            bench_replay(backend, sizes, args.samples)
        if "writes" in parts:
            cases = [int(s) for s in args.cases.split(",")]
            bench_writes(backend, cases, args.commands)


if __name__ == "__main__":
    main()
