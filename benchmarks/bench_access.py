"""Recorded reads: a case read with its access record against the same read without.

Each reader opens a demo-sized case (40 notes in two disciplines, a plan) as a
team member on summary scope, so the filtering runs too. "Recorded" is the service
layer's `read_case`, which writes and commits the access record before returning;
"bare" is the same read without the record: the case loaded, the reader's roles as
held today (`actor_context`, which `read_case` asks for every read) and the filter
(`case_as_seen`). Bare and recorded alternate, `--rounds` times; each line gives the
load average when it was measured (the machine is shared).

Run:  python -m benchmarks.bench_access [--reads 2000] [--readers 1,16]
                                         [--backends sqlite,postgres] [--rounds 3]
Target: recorded ÷ bare >= 0.70 at 1 and at 16 concurrent readers, on both backends
(the median of the rounds).

After the rounds at one reader it measures the floor: one access record's two rows
(its event, its look-up row) written and committed durably by the database driver
alone, in tables of their own in the same database, with no casework code. It prints
two ratios: bare ÷ (bare + that commit timed on its own), and the bare read followed
by that commit, in turn, as one reader's recorded reads go. The second is the ceiling
for one reader on this machine at this moment: the commit costs more after a read
than on its own (on this 2-core VM a commit after a read took 0.28 ms against 0.20
alone, and the next read 30% longer), and no casework code is in it.
"""

import argparse
import os
import sqlite3
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import psycopg

from benchmarks.bench_compliance import POSTGRES_URL, fresh_store
from casework.aggregates.access_record import AccessAction
from casework.aggregates.base import now
from casework.aggregates.case import AssessmentDomain, NoteKind, RecordKind, TeamScope
from casework.aggregates.discipline import Discipline
from casework.application import Casework
from casework.application.access_log import AccessRequest
from casework.application.authorisation import case_as_seen
from casework.application.commands.cases import (
    AddTeamMember,
    PlannedGoal,
    ProposePlan,
    RatedDomain,
    RecordAssessment,
    RecordNote,
)
from casework.application.principal import AccessPoint, Principal
from tests.builders.centre import family_centre, open_family_case

TARGET = 0.70


def prepare(app: Casework) -> tuple[Principal, list[UUID]]:
    centre = family_centre(app)
    case_ids = []
    for _ in range(8):
        case_id = open_family_case(app, centre)
        app.add_team_member(
            centre.worker,
            case_id,
            AddTeamMember(
                staff_id=centre.lawyer.staff_id, discipline=Discipline.LAW, scope=TeamScope.SUMMARY
            ),
        )
        app.record_assessment(
            centre.worker,
            case_id,
            RecordAssessment(
                discipline=Discipline.SOCIAL_WORK,
                domains=[
                    RatedDomain(
                        domain=AssessmentDomain.FAMILY, rating=3, narrative="conflict at home"
                    )
                ],
                summary="needs a safety plan",
            ),
        )
        app.propose_plan(
            centre.worker,
            case_id,
            ProposePlan(
                goals=[
                    PlannedGoal(
                        goal_id=uuid4(),
                        title="safety plan agreed",
                        interventions=["weekly home visits"],
                        discipline=Discipline.SOCIAL_WORK,
                        responsible_id=centre.worker.staff_id,
                        target_date=date(2026, 12, 31),
                        review_date=date(2026, 9, 30),
                    )
                ]
            ),
        )
        for i in range(20):
            app.record_note(
                centre.worker,
                case_id,
                RecordNote(kind=NoteKind.HOME_VISIT, narrative=f"visit {i}", duration_minutes=45),
            )
            app.record_note(
                centre.lawyer,
                case_id,
                RecordNote(
                    kind=NoteKind.PHONE,
                    narrative=f"advice {i}",
                    duration_minutes=15,
                    discipline=Discipline.LAW,
                ),
            )
        case_ids.append(case_id)
    lawyer = Principal(centre.lawyer.staff_id, centre.lawyer.role, access_point=AccessPoint.API)
    return lawyer, case_ids


def rate(readers: int, reads: int, read: Callable[[int], object]) -> float:
    """Reads per second with `readers` threads sharing `reads` reads."""
    per_thread = reads // readers
    barrier = threading.Barrier(readers + 1)

    def run(offset: int) -> None:
        barrier.wait()
        for i in range(per_thread):
            read(offset + i)

    threads = [threading.Thread(target=run, args=(t * per_thread,)) for t in range(readers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return per_thread * readers / (time.perf_counter() - started)


# The floor's tables: an access record's event and look-up row, indexed as the store's.
_FLOOR_TABLES = (
    "CREATE TABLE floor_events (notification_id {serial}, originator_id {uuid} NOT NULL, "
    "originator_version bigint NOT NULL, topic text, state {blob}, "
    "UNIQUE (originator_id, originator_version))",
    "CREATE TABLE floor_rows (record_id {uuid} PRIMARY KEY, case_id {uuid}, "
    "staff_id {uuid}, at {at} NOT NULL, outcome text NOT NULL)",
    "CREATE INDEX floor_rows_case ON floor_rows (case_id, at)",
    "CREATE INDEX floor_rows_staff ON floor_rows (staff_id, at)",
)
_FLOOR_ROW = "INSERT INTO floor_rows VALUES ({0}, {0}, {0}, {0}, 'allowed')"
_FLOOR_EVENT = (
    "INSERT INTO floor_events (originator_id, originator_version, topic, state) "
    "VALUES ({0}, 1, 'casework.aggregates.access_record:AccessRecord.AccessRecorded', {0})"
)
_FLOOR_STATE = os.urandom(420)  # about an access record's sealed event


@contextmanager
def floor_commits(app: Casework) -> Iterator[Callable[[], None]]:
    """A durable commit of one access record's two rows by the database driver alone:
    SQLite with synchronous FULL (its default, as the store's), PostgreSQL with
    synchronous_commit on, in one statement (one round trip, as the store's); in
    tables of their own in the same database."""
    postgres = app.database.backend == "postgres"
    case_id, staff_id = uuid4(), uuid4()
    if postgres:
        conn: Any = psycopg.connect(POSTGRES_URL, autocommit=True)
        conn.execute(f'SET search_path TO "{app.database.schema}"')
        types = {"serial": "bigserial PRIMARY KEY", "uuid": "uuid", "blob": "bytea"}
        types["at"] = "timestamptz"
    else:
        conn = sqlite3.connect(
            str(app.database.sqlite_path), isolation_level=None, check_same_thread=False
        )
        types = {"serial": "INTEGER PRIMARY KEY", "uuid": "text", "blob": "blob", "at": "text"}
    write = f"WITH row AS ({_FLOOR_ROW}) {_FLOOR_EVENT}".format("%s")

    def commit() -> None:
        record_id = uuid4()
        if postgres:
            row = (record_id, case_id, staff_id, now())
            conn.execute(write, (*row, record_id, _FLOOR_STATE), prepare=True)
        else:  # SQLite has no writes in WITH: the two inserts in one transaction
            conn.execute("BEGIN")
            conn.execute(
                _FLOOR_ROW.format("?"),
                (record_id.hex, case_id.hex, staff_id.hex, now().isoformat()),
            )
            conn.execute(_FLOOR_EVENT.format("?"), (record_id.hex, _FLOOR_STATE))
            conn.execute("COMMIT")

    try:
        for statement in _FLOOR_TABLES:
            conn.execute(statement.format(**types))
        yield commit
    finally:
        for table in ("floor_rows", "floor_events"):
            conn.execute(f"DROP TABLE {table}")
        conn.close()


def store_writes(
    app: Casework, reader: Principal, case_id: UUID, count: int
) -> Callable[[], object]:
    """The store's own write of one access record (`AccessIndex.record`; on PostgreSQL
    its function, which also locks the events table so that notification ids commit in
    order, and notifies the views' runners), for records made and sealed beforehand:
    the database's part of a recorded read, without casework's Python around it. They
    are real access records, in the benchmark's own store."""
    request = AccessRequest(
        AccessAction.READ, case_id=case_id, record_kinds=[RecordKind.SUMMARY], reason="floor"
    )
    sealed = []
    for _ in range(count):
        writes = app._access_writes(reader, [request])
        sealed.append((app._sealed_access(writes)[1], [row for _, row in writes]))
    batches = iter(sealed)
    return lambda: app.access_index.record(*next(batches))


def floor(
    app: Casework, reads: int, bare: Callable[[int], object], reader: Principal, case_id: UUID
) -> None:
    """What the disk allows one reader: each commit alone (bare ÷ (bare + commit), the
    best ratio if a commit cost the same after a read as on its own), and the bare read
    followed by that commit, in turn, as one reader's recorded reads go: the driver's
    commit of the record's two rows, then the store's own write of a record."""

    def alone_and_in_turn(commit: Callable[[], object]) -> tuple[float, float]:
        started = time.perf_counter()
        for _ in range(reads):
            commit()
        alone = (time.perf_counter() - started) / reads

        def bare_then_commit(i: int) -> None:
            bare(i)
            commit()

        return alone, rate(1, reads, bare_then_commit) / rate(1, reads, bare)

    with floor_commits(app) as commit:
        driver, driver_in_turn = alone_and_in_turn(commit)
    store, store_in_turn = alone_and_in_turn(store_writes(app, reader, case_id, 2 * reads))
    bare_time = 1 / rate(1, reads, bare)
    name = app.database.backend
    print(
        f"[{name}] floor: one access record's rows committed by the driver alone "
        f"{driver * 1e3:.3f} ms, bare read {bare_time * 1e3:.3f} ms, so at best "
        f"{bare_time / (bare_time + driver):.2f}; the bare read then that commit, in turn: "
        f"{driver_in_turn:.2f}\n[{name}] floor: the store's own write of a record sealed "
        f"beforehand {store * 1e3:.3f} ms; the bare read then that write, in turn: "
        f"{store_in_turn:.2f} (load {os.getloadavg()[0]:.1f})"
    )


def bench(
    backend: str, reads: int, reader_counts: list[int], rounds: int
) -> list[tuple[int, float]]:
    ratios = []
    with fresh_store(backend) as app:
        lawyer, case_ids = prepare(app)

        def bare(i: int) -> object:
            case = app.repository.get(case_ids[i % len(case_ids)])
            return case_as_seen(app.actor_context(lawyer), case, now())

        def recorded(i: int) -> object:
            return app.read_case(lawyer, case_ids[i % len(case_ids)])

        rate(1, 100, bare), rate(1, 100, recorded)  # warm caches and connections
        for readers in reader_counts:
            measured, bare_rates = [], []
            for n in range(1, rounds + 1):
                without = rate(readers, reads, bare)
                with_record = rate(readers, reads, recorded)
                measured.append(with_record / without)
                bare_rates.append(without)
                print(
                    f"[{backend}] {readers:>2} reader(s), round {n}: bare {without:,.0f} "
                    f"reads/s, recorded {with_record:,.0f} reads/s, ratio {measured[-1]:.2f} "
                    f"(load {os.getloadavg()[0]:.1f})"
                )
            ratio = statistics.median(measured)
            ratios.append((readers, ratio))
            print(
                f"[{backend}] {readers:>2} reader(s): median ratio {ratio:.2f} "
                f"(target >= {TARGET:.2f}: {'met' if ratio >= TARGET else 'MISSED'})"
            )
            if readers == 1:
                floor(app, reads, bare, lawyer, case_ids[0])
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--readers", default="1,16")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    readers = [int(n) for n in args.readers.split(",")]
    for backend in args.backends.split(","):
        bench(backend, args.reads, readers, args.rounds)


if __name__ == "__main__":
    main()
