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
"""

import argparse
import os
import statistics
import threading
import time
from collections.abc import Callable
from datetime import date
from uuid import UUID, uuid4

from benchmarks.bench_compliance import fresh_store
from casework.aggregates.base import now
from casework.aggregates.case import AssessmentDomain, NoteKind, TeamScope
from casework.aggregates.discipline import Discipline
from casework.application import Casework
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
            measured = []
            for n in range(1, rounds + 1):
                without = rate(readers, reads, bare)
                with_record = rate(readers, reads, recorded)
                measured.append(with_record / without)
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
