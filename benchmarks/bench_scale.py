"""Scale benchmark: costs that should follow the size of the case, not of the store.

    replay: the same 13-event case replayed "as recorded" at random past instants, in
            a store grown by bulk filler events to each size in turn (2k, 20k, 200k)
    writes: CPU (`time.process_time`) per command through the service layer (intake
            with its duplicate check, a home-visit note, a closure) in a store of 20,000
            events and in one of 1,000,000, side by side. Six caseworkers of one
            department each carry 40 open cases (the oldest is closed as a new one
            comes in); clients are drawn from 300 names. Each store is grown through the
            service layer to the first size; in the larger one the caseworkers then take
            in `--history` more cases (2,000: 333 more each, so their records' histories
            grow too) and bulk filler records (1,000 events a transaction) bring the log
            up to size. The commands are measured in rounds alternating between the
            stores (`--commands` cases taken in by each store, over `--rounds`), so the
            shared machine's drift falls on both alike.
    rebuild-verify: a store of `--store-events` (1,000,000): a `--case-events` (2,000)
            case saved 20 events at a time, `--demo-events` (100,000) of demo-like
            records written through the domain (bench_projections), bulk filler for the
            rest; signed. Then all views are caught up from zero (the generation the
            rebuild replaces), rebuilt in full, and `verify` is run, each in a spawned
            child process (as the CLI runs them) that reports its wall and CPU time and
            its peak RSS (VmHWM); the rebuild also counts its scans of the log (reads
            from position 0) and the notifications it read. Last, in a child too, the
            long case is replayed as recorded and as occurred at `--samples` random
            instants.

Each figure is printed as measured ÷ target (≤ 1.00 meets it).

Run:  python -m benchmarks.bench_scale [--parts replay,writes,rebuild-verify]
          [--backends sqlite,postgres] [--sizes 2000,20000,200000] [--samples 300]
          [--events 20000,1000000] [--history 2000] [--commands 600] [--rounds 6]
          [--store-events 1000000] [--demo-events 100000] [--case-events 2000]
Targets: replay median ≤ 10 ms and p99 ≤ 25 ms at every size, on both backends; CPU per
command at 1M events ≤ 1.2× the same command at 20k; at 1M events a full rebuild in
≤ 5 minutes from one scan of the log, peak RSS ≤ 500 MB for rebuild and for verify
(issue 15).
"""

import argparse
import multiprocessing
import os
import random
import secrets
import statistics
import time
from collections import Counter, deque
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, TypeVar
from unittest.mock import patch
from uuid import UUID

from sqlalchemy import select

from benchmarks.bench_compliance import a_long_case, fresh_store
from benchmarks.bench_projections import fill as demo_fill
from benchmarks.bench_store import TEXT, Dossier
from casework.aggregates.base import Actor, Role
from casework.aggregates.case import ClosureReason, NoteKind, ReferralSource
from casework.aggregates.discipline import Discipline
from casework.application import Casework
from casework.application.commands.cases import (
    ClientDetails,
    CloseCase,
    OpenCase,
    RecordConsent,
    RecordNote,
)
from casework.application.commands.organisation import AddStaff
from casework.compliance.replay import Basis
from casework.projections import Projections
from casework.projections.machinery.generations import view_generations
from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.builders.cases import WORKER
from tests.builders.centre import family_centre, open_family_case

T = TypeVar("T")
Measured = dict[str, Any]  # what a child process reports

REPLAY_MEDIAN_MS = 10.0
REPLAY_P99_MS = 25.0
WRITE_GROWTH = 1.2
REBUILD_SECONDS = 300.0
PEAK_RSS_MB = 500.0
LEADS = 6
CASELOAD = 40  # open cases a caseworker carries
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
    centre = family_centre(app)
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
                bulk_fill(app, missing)
                app.recorded_at.catch_up()  # as every checkpoint does
                print(
                    f"[{backend}] filled to {app.last_position():,} events "
                    f"in {time.perf_counter() - started:.1f} s"
                )
            print_replays(backend, "the 13-event case", app, case_id, instants, samples)


def print_replays(
    backend: str,
    label: str,
    app: Casework,
    case_id: object,
    instants: list[datetime],
    samples: int,
    bases: tuple[Basis, ...] = (Basis.RECORDED,),
) -> None:
    """Replay the case at `samples` random instants of its history on each basis and
    print the median and p99 against their targets."""
    for basis in bases:
        timings = []
        for _ in range(samples):
            at = random.choice(instants)
            started = time.perf_counter()
            replay = app._replay(case_id, at, basis)  # without access checks
            timings.append((time.perf_counter() - started) * 1000)
            assert replay.record is not None
        median, p99 = statistics.median(timings), percentile(timings, 0.99)
        print(
            f"[{backend}] replay {basis.value} of {label} at {app.last_position():>9,} events: "
            f"median {median:.2f} ms = {median / REPLAY_MEDIAN_MS:.2f}× target, "
            f"p99 {p99:.2f} ms = {p99 / REPLAY_P99_MS:.2f}× target",
            flush=True,
        )


def bulk_fill(app: Casework, events: int, per_record: int = 50, per_save: int = 20) -> None:
    """Filler records written 1,000 events to a transaction: the bulk path to a large
    store (the log, its indexes and the ledger grow as with real cases)."""
    while events >= per_record:
        dossiers = []
        for _ in range(min(per_save, events // per_record)):
            dossier = Dossier.start(Dossier.Opened, WORKER, title="bench")
            for _ in range(per_record - 1):
                dossier.record(Dossier.NoteAdded, WORKER, text=TEXT)
            dossiers.append(dossier)
        app.save(*dossiers)
        events -= per_record * len(dossiers)


class Caseload:
    """A family department's caseworkers taking in cases through the service layer:
    each intake (with its duplicate check) gets a home-visit note, and once a lead
    carries `CASELOAD` open cases their oldest is closed, so histories grow as in a
    centre while caseloads stay what they are."""

    def __init__(self, app: Casework, seed: int = 15) -> None:
        self.app = app
        self.rng = random.Random(seed)
        self.centre = family_centre(app)
        extra = [
            app.add_staff(
                self.centre.administrator,
                AddStaff(
                    name=f"Caseworker {n}",
                    centre_id=self.centre.centre_id,
                    department_id=self.centre.family_id,
                    roles=[Role.CASEWORKER],
                    disciplines=[Discipline.SOCIAL_WORK],
                ),
            )
            for n in range(LEADS - 2)
        ]
        self.leads = [
            self.centre.worker,
            self.centre.second_worker,
            *(Actor(staff_id, Role.CASEWORKER) for staff_id in extra),
        ]
        self.open: dict[Actor, deque[UUID]] = {lead: deque() for lead in self.leads}
        self.cases = 0

    def intake(self, lead: Actor) -> UUID:
        born = date(1950, 1, 1) + timedelta(days=self.rng.randrange(365 * 60))
        return self.app.open_case(
            lead,
            OpenCase(
                clients=[ClientDetails(name=self.rng.choice(NAMES), date_of_birth=born)],
                presenting_problem="a family in a dispute over care of a parent",
                referral_source=ReferralSource.COMMUNITY_COMMITTEE,
                department_id=self.centre.family_id,
                lead_worker_id=lead.staff_id,
                consent=RecordConsent(
                    given=True, on=date(2026, 3, 1), disciplines=[Discipline.SOCIAL_WORK]
                ),
            ),
        )

    def note(self, lead: Actor, case_id: UUID) -> None:
        self.app.record_note(
            lead, case_id, RecordNote(kind=NoteKind.HOME_VISIT, narrative=TEXT, duration_minutes=45)
        )

    def closure(self, lead: Actor, case_id: UUID) -> None:
        self.app.close_case(
            lead,
            case_id,
            CloseCase(reason=ClosureReason.GOALS_MET, outcomes=[], summary="goals met"),
        )

    def one_case(self, cpu: dict[str, list[float]] | None = None) -> None:
        """The next lead in turn takes a case in; `cpu` collects each command's CPU."""
        lead = self.leads[self.cases % len(self.leads)]
        self.cases += 1
        case_id = self._timed(cpu, "intake", lambda: self.intake(lead))
        self._timed(cpu, "note", lambda: self.note(lead, case_id))
        self.open[lead].append(case_id)
        if len(self.open[lead]) > CASELOAD:
            oldest = self.open[lead].popleft()
            self._timed(cpu, "closure", lambda: self.closure(lead, oldest))

    @staticmethod
    def _timed(cpu: dict[str, list[float]] | None, command: str, run: Callable[[], T]) -> T:
        started = time.process_time()
        result = run()
        if cpu is not None:
            cpu.setdefault(command, []).append(time.process_time() - started)
        return result


def bench_writes(backend: str, sizes: list[int], commands: int, history: int, rounds: int) -> None:
    """CPU per command in a store of each size, built side by side: each is grown through
    the service layer to the first size, the larger ones' caseworkers then take in
    `history` more cases and bulk filler brings them up to size. The commands are then
    measured in `rounds` alternating between the stores, so the shared machine's drift
    falls on every size alike."""
    with ExitStack() as stack:
        desks: dict[int, Caseload] = {}
        for n, size in enumerate(sizes):
            app = stack.enter_context(fresh_store(backend))
            desk = Caseload(app)
            started = time.perf_counter()
            while app.last_position() < sizes[0]:
                desk.one_case()
            for _ in range(history if n else 0):
                desk.one_case()
            bulk_fill(app, size - app.last_position())
            print(
                f"[{backend}] store of {app.last_position():,} events ({desk.cases:,} cases "
                f"through the service layer) built in {time.perf_counter() - started:.0f} s"
            )
            desks[size] = desk
        cpu: dict[int, dict[str, list[float]]] = {size: {} for size in sizes}
        for _ in range(rounds):
            for size, desk in desks.items():
                for _ in range(commands // rounds):
                    desk.one_case(cpu[size])
        per_command = {
            size: {c: statistics.mean(t) * 1000 for c, t in timings.items()}
            for size, timings in cpu.items()
        }
        for size, figures in per_command.items():
            listed = ", ".join(f"{c} {ms:.2f} ms" for c, ms in figures.items())
            print(f"[{backend}] CPU per command at {size:,} events: {listed}")
        first, last = per_command[sizes[0]], per_command[sizes[-1]]
        for command in first:
            ratio = last[command] / first[command]
            print(
                f"[{backend}] {command}: CPU at {sizes[-1]:,} ÷ at {sizes[0]:,} events = "
                f"{ratio:.2f} = {ratio / WRITE_GROWTH:.2f}× target (≤ {WRITE_GROWTH})"
            )


def bench_rebuild_verify(
    backend: str, events: int, demo_events: int, case_events: int, samples: int
) -> None:
    """A store of `events`: a `case_events` case, demo-like records written through the
    domain (`demo_events`), bulk filler for the rest. Signed, then each of a full
    rebuild and `verify` runs in a child process of its own (as the CLI would), which
    reports its wall and CPU time and its peak RSS; then the long case is replayed."""
    master = secrets.token_bytes(32)
    with fresh_store(backend, master) as app:
        started = time.perf_counter()
        case_id, instants = a_long_case(app, case_events)
        demo_fill(app, app.last_position() + demo_events)
        bulk_fill(app, events - app.last_position())
        print(
            f"[{backend}] store of {app.last_position():,} events ({case_events:,}-event case, "
            f"~{demo_events:,} demo-like, the rest bulk filler) built in "
            f"{time.perf_counter() - started:.0f} s (load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        started = time.perf_counter()
        app.checkpoint()
        print(f"[{backend}] first checkpoint in {time.perf_counter() - started:.0f} s", flush=True)
        head = app.last_position()
        caught_up = in_a_child(catch_up_views, app.settings, master)
        print(
            f"[{backend}] all views caught up from zero (the generation a rebuild replaces): "
            f"{caught_up['wall']:.1f} s wall, {caught_up['cpu']:.1f} s CPU, peak RSS "
            f"{caught_up['rss_mb']:.0f} MB; store files {store_mb(app.settings):,.0f} MB",
            flush=True,
        )
        rebuilt = in_a_child(rebuild_all_views, app.settings, master)
        print(
            f"[{backend}] rebuild of all views: {rebuilt['wall']:.1f} s wall = "
            f"{rebuilt['wall'] / REBUILD_SECONDS:.2f}× target, {rebuilt['cpu']:.1f} s CPU, "
            f"{rebuilt['scans']} scan(s) of the log ({rebuilt['read']:,} notifications read "
            f"for {head:,}), peak RSS {rebuilt['rss_mb']:.0f} MB = "
            f"{rebuilt['rss_mb'] / PEAK_RSS_MB:.2f}× target (at start "
            f"{rebuilt['start_mb']:.0f} MB); generations left {rebuilt['generations']}, "
            f"store files {store_mb(app.settings):,.0f} MB (load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        verified = in_a_child(verify_the_ledger, app.settings, master)
        print(
            f"[{backend}] verify: {verified['wall']:.1f} s wall = {head / verified['wall']:,.0f} "
            f"events/s, {verified['cpu']:.1f} s CPU = {head / verified['cpu']:,.0f} events per "
            f"CPU second, ok {verified['ok']}, peak RSS {verified['rss_mb']:.0f} MB = "
            f"{verified['rss_mb'] / PEAK_RSS_MB:.2f}× target (at start "
            f"{verified['start_mb']:.0f} MB) (load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        # In a fresh process: this one's heap, grown by writing the store, would make
        # every full cycle collection during a replay slower.
        replays = partial(replay_the_case, backend, case_id, instants, samples)
        in_a_child(replays, app.settings, master)


def replay_the_case(
    backend: str, case_id: UUID, instants: list[datetime], samples: int, app: Casework
) -> Measured:
    print_replays(
        backend,
        f"the {app.repository.get(case_id).version:,}-event case",
        app,
        case_id,
        instants,
        samples,
        tuple(Basis),
    )
    return {}


def in_a_child(job: Callable[[Casework], Measured], settings: Settings, master: bytes) -> Measured:
    """Run `job` on the store in a fresh process (spawned: nothing of this one's memory)."""
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_measure, args=(job, settings, master, sending))
    child.start()
    sending.close()
    figures: Measured = receiving.recv()
    child.join()
    return figures


def _measure(
    job: Callable[[Casework], Measured], settings: Settings, master: bytes, out: Any
) -> None:
    app = Casework(settings, MasterKey(master, "bench"))
    start_mb = peak_rss_mb()
    started, started_cpu = time.perf_counter(), time.process_time()
    figures = job(app)
    figures["wall"] = time.perf_counter() - started
    figures["cpu"] = time.process_time() - started_cpu
    figures["rss_mb"] = peak_rss_mb()
    figures["start_mb"] = start_mb
    app.close()
    out.send(figures)


def peak_rss_mb() -> float:
    """This process's peak resident set (Linux's VmHWM): not `ru_maxrss`, which keeps
    the peak of the process that was forked before `exec`, here the parent's."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status (not Linux?)")


def store_mb(settings: Settings) -> float:
    """The size of the data directory's files (on PostgreSQL: its keys and state only)."""
    return sum(f.stat().st_size for f in settings.data_dir.rglob("*") if f.is_file()) / 2**20


def catch_up_views(app: Casework) -> Measured:
    projections = Projections(app)
    projections.catch_up()
    projections.close()
    return {}


def rebuild_all_views(app: Casework) -> Measured:
    """`casework projections rebuild`'s work, counting the reads of the log that start
    at its beginning (as tests/projections/test_rebuild_all.py does) and all it reads."""
    projections = Projections(app)
    counted = {"scans": 0, "read": 0}
    select_notifications = app.recorder.select_notifications

    def counting(start: int, *args: Any, **kwargs: Any) -> Any:
        counted["scans"] += start == 0
        page = select_notifications(start, *args, **kwargs)
        counted["read"] += len(page)
        return page

    with patch.object(app.recorder, "select_notifications", counting):
        projections.rebuild_all()
    with projections.engine.connect() as connection:
        rows = connection.execute(select(view_generations.c.status)).all()
    projections.close()
    return {**counted, "generations": dict(Counter(r.status for r in rows))}


def verify_the_ledger(app: Casework) -> Measured:
    report = app.verify()
    return {"ok": report.ok}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000,200000")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--parts", default="replay,writes")
    parser.add_argument("--events", default="20000,1000000")
    parser.add_argument("--history", type=int, default=2000)
    parser.add_argument("--commands", type=int, default=600, help="cases taken in per store")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--store-events", type=int, default=1_000_000, help="rebuild-verify")
    parser.add_argument("--demo-events", type=int, default=100_000, help="rebuild-verify")
    parser.add_argument("--case-events", type=int, default=2_000, help="rebuild-verify")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    parts = args.parts.split(",")
    for backend in args.backends.split(","):
        if "replay" in parts:
            bench_replay(backend, sizes, args.samples)
        if "writes" in parts:
            events = [int(s) for s in args.events.split(",")]
            bench_writes(backend, events, args.commands, args.history, args.rounds)
        if "rebuild-verify" in parts:
            bench_rebuild_verify(
                backend, args.store_events, args.demo_events, args.case_events, args.samples
            )


if __name__ == "__main__":
    main()
