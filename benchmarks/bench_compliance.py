"""Compliance benchmark: how fast the ledger verifies, and how fast any past state of a
long case comes back.

    (a) checkpoint: cover N freshly written events with the first signed checkpoint
    (b) verify: recompute the Merkle tree from the store and check it against the ledger
    (c) replay "as recorded" of a 2,000-event case at random past instants
    (d) replay "as occurred" of the same case (opens every event: occurred_at is sealed)

Run:  python -m benchmarks.bench_compliance [--events 100000] [--backends sqlite,postgres]
          [--case-events 2000] [--samples 50]
Targets: (b) >= 100,000 events/s; (c) and (d): median <= 10 ms, p99 <= 25 ms for any
state of a 2,000-event case (issue 15).
"""

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import psycopg

from benchmarks.bench_store import TEXT, Dossier
from casework.aggregates.case import NoteKind
from casework.application import Casework
from casework.compliance.replay import Basis
from casework.settings import Settings
from casework.store.key_files import write_signing_key
from casework.store.master_key import MasterKey
from tests.builders.cases import WORKER
from tests.builders.centre import family_centre, open_family_case

POSTGRES_URL = os.environ.get(
    "CASEWORK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@contextmanager
def fresh_store(backend: str, master: bytes | None = None) -> Iterator[Casework]:
    """A store of its own (a temporary directory, and a schema dropped afterwards on
    PostgreSQL); `master` is the raw master key, for a child process to open it with."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"CASEWORK_DATA_DIR": str(Path(tmp) / "data")}
        schema = f"cw_bench_{uuid.uuid4().hex[:8]}"
        if backend == "postgres":
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            env["CASEWORK_DATABASE_URL"] = f"{POSTGRES_URL}?schema={schema}"
        settings = Settings.from_env(env)
        write_signing_key(settings.signing_key_file)
        key = MasterKey(master, "bench") if master else MasterKey.generate("bench")
        app = Casework(settings, key)
        try:
            yield app
        finally:
            app.close()
            if backend == "postgres":
                with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def fill(app: Casework, events: int, per_record: int = 50) -> None:
    for _ in range(events // per_record):
        dossier = Dossier.start(Dossier.Opened, WORKER, title="bench")
        for _ in range(per_record - 1):
            dossier.record(Dossier.NoteAdded, WORKER, text=TEXT)
        app.save(dossier)


def bench_ledger(backend: str, events: int) -> None:
    with fresh_store(backend) as app:
        started = time.perf_counter()
        fill(app, events)
        written = time.perf_counter() - started
        print(f"[{backend}] wrote {events:,} events in {written:.1f} s")

        started = time.perf_counter()
        app.checkpoint()
        took = time.perf_counter() - started
        print(f"[{backend}] (a) first checkpoint: {took:.2f} s = {events / took:,.0f} events/s")

        runs, cpu = [], []
        for _ in range(3):
            started, started_cpu = time.perf_counter(), time.process_time()
            report = app.verify()
            runs.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            assert report.ok, report.lines()
        best = min(runs)
        # CPU time too: on a shared machine the wall time mostly measures the others.
        print(
            f"[{backend}] (b) verify: best of 3 {best:.2f} s = {events / best:,.0f} events/s "
            f"(target >= 100,000); CPU {min(cpu):.2f} s = {events / min(cpu):,.0f} events/s "
            f"per CPU second (load {os.getloadavg()[0]:.1f})"
        )


def a_long_case(app: Casework, case_events: int) -> tuple[UUID, list[datetime]]:
    """A case of `case_events` events saved 20 at a time, and the instant after each save."""
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    case = app.repository.get(case_id)
    instants = []
    while case.version < case_events:
        for _ in range(min(20, case_events - case.version)):
            case.record_note(centre.worker, NoteKind.PHONE, TEXT, 5)
        app.save(case)
        instants.append(datetime.now(UTC))
    return case_id, instants


def bench_replay(backend: str, case_events: int, samples: int) -> None:
    with fresh_store(backend) as app:
        case_id, instants = a_long_case(app, case_events)
        case = app.repository.get(case_id)
        app.checkpoint()  # brings the recorded-at index up to date, as the CLI and server do
        print(f"[{backend}] a case with {case.version:,} events")
        for basis, label in ((Basis.RECORDED, "(c)"), (Basis.OCCURRED, "(d)")):
            timings, cpu = [], []
            for _ in range(samples):
                at = random.choice(instants)
                started, started_cpu = time.perf_counter(), time.thread_time()
                app._replay(case_id, at, basis)  # the machinery, without access checks
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - started_cpu) * 1000)
            # CPU too: on a shared machine a replay's wall time is mostly its wait for a core.
            p99 = {
                name: statistics.quantiles(t, n=100)[98]
                for name, t in (("wall", timings), ("cpu", cpu))
            }
            print(
                f"[{backend}] {label} replay {basis.value}: median "
                f"{statistics.median(timings):.2f} ms, p99 {p99['wall']:.2f} ms, "
                f"max {max(timings):.2f} ms; CPU median {statistics.median(cpu):.2f} ms, p99 "
                f"{p99['cpu']:.2f} ms (targets median <= 10 ms, p99 <= 25 ms; "
                f"load {os.getloadavg()[0]:.1f})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--case-events", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        bench_ledger(backend, args.events)
        bench_replay(backend, args.case_events, args.samples)


if __name__ == "__main__":
    main()
