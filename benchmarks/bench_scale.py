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

Each figure is printed as measured ÷ target (≤ 1.00 meets it).

Run:  python -m benchmarks.bench_scale [--parts replay,writes] [--backends sqlite,postgres]
          [--sizes 2000,20000,200000] [--samples 300]
          [--events 20000,1000000] [--history 2000] [--commands 600] [--rounds 6]
Targets: replay median ≤ 10 ms and p99 ≤ 25 ms at every size, on both backends; CPU per
command at 1M events ≤ 1.2× the same command at 20k (issue 15).
"""

import argparse
import random
import statistics
import time
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from uuid import UUID

from benchmarks.bench_compliance import fresh_store
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
from casework.compliance.replay import Basis
from tests.builders.cases import WORKER
from tests.builders.centre import family_centre, open_family_case

T = TypeVar("T")

REPLAY_MEDIAN_MS = 10.0
REPLAY_P99_MS = 25.0
WRITE_GROWTH = 1.2
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
                f"Caseworker {n}",
                self.centre.centre_id,
                self.centre.family_id,
                [Role.CASEWORKER],
                [Discipline.SOCIAL_WORK],
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
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    parts = args.parts.split(",")
    for backend in args.backends.split(","):
        if "replay" in parts:
            bench_replay(backend, sizes, args.samples)
        if "writes" in parts:
            events = [int(s) for s in args.events.split(",")]
            bench_writes(backend, events, args.commands, args.history, args.rounds)


if __name__ == "__main__":
    main()
