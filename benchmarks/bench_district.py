"""The district generator's rate (issue 15): `casework demo --centres N
--cases-per-centre M` built into a fresh store, timed step by step.

Prints events, wall and CPU seconds, the rate over the first and the last tenth of the
events (the target: the last tenth no more than 20% slower), and the whole build
extrapolated linearly to 1,000,000 events against the target of 15 minutes (the
extrapolation is said as such: it assumes the flat rate measured here). The machine's
load average is printed before and after: the figures mean little on a busy machine.

    .venv/bin/python -m benchmarks.bench_district --centres 15 --cases-per-centre 180 \
        --backend postgres
"""

import argparse
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg

from casework.application import Casework
from casework.demo.district import DistrictBuild, Planned
from casework.settings import Settings
from casework.store.key_files import create_key_files

POSTGRES_URL = os.environ.get(
    "CASEWORK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
TARGET_EVENTS, TARGET_SECONDS, FLATNESS = 1_000_000, 15 * 60, 1.2


@dataclass(frozen=True)
class Mark:
    events: int
    wall: float
    cpu: float


def _tenth_rate(marks: list[Mark], first: bool) -> float:
    """Events per second over the first (or last) tenth of the events written."""
    total = marks[-1].events
    if first:
        end = next(m for m in marks if m.events >= total / 10)
        return end.events / max(end.wall, 1e-9)
    start = next(m for m in reversed(marks) if m.events <= total * 9 / 10)
    return (total - start.events) / max(marks[-1].wall - start.wall, 1e-9)


def build(settings: Settings, planned: Planned) -> list[Mark]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    create_key_files(settings)
    app = Casework(settings)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    marks = [Mark(0, 0.0, 0.0)]

    def step(_name: str) -> None:
        marks.append(
            Mark(app.last_position(), time.perf_counter() - wall0, time.process_time() - cpu0)
        )

    try:
        DistrictBuild(app, planned, step).run()
    finally:
        app.close()
    return marks


def report(backend: str, planned: Planned, marks: list[Mark]) -> None:
    last = marks[-1]
    rate = last.events / last.wall
    first, final = _tenth_rate(marks, True), _tenth_rate(marks, False)
    projected = TARGET_EVENTS / rate
    print(
        f"{backend}: {planned.centres} centres x {planned.cases_per_centre} cases: "
        f"{last.events:,} events in {last.wall:.0f} s wall, {last.cpu:.0f} s CPU "
        f"({rate:,.0f} events/s; {last.cpu / last.events * 1000:.2f} ms CPU an event)"
    )
    print(
        f"  rate over the first tenth {first:,.0f}/s, the last tenth {final:,.0f}/s: "
        f"last tenth {first / final:.2f}x slower (target <= {FLATNESS}: "
        f"measured / target = {first / final / FLATNESS:.2f})"
    )
    print(
        f"  1,000,000 events at this rate (extrapolated): {projected / 60:.1f} min "
        f"(target 15 min: measured / target = {projected / TARGET_SECONDS:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centres", type=int, default=15)
    parser.add_argument("--cases-per-centre", type=int, default=180)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="postgres")
    args = parser.parse_args()
    planned = Planned(args.centres, args.cases_per_centre)
    print(f"load average before: {os.getloadavg()[0]:.1f} (cpus: {os.cpu_count()})")
    with tempfile.TemporaryDirectory() as tmp:
        env = {"CASEWORK_DATA_DIR": str(Path(tmp) / "data")}
        schema = f"cw_bench_district_{uuid.uuid4().hex[:8]}"
        if args.backend == "postgres":
            env["CASEWORK_DATABASE_URL"] = f"{POSTGRES_URL}?schema={schema}"
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            marks = build(Settings.from_env(env), planned)
        finally:
            if args.backend == "postgres":
                with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    report(args.backend, planned, marks)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
