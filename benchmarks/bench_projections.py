"""Catch-up rate of all projections over a demo-like store, next to the raw
notification-log scan-and-decode rate measured in the same run.

    .venv/bin/python benchmarks/bench_projections.py                    # 200,000 events, both
    .venv/bin/python benchmarks/bench_projections.py --events 20000 --backend sqlite

The store is written through the domain (cases with consent, assessments, plans,
team members, notes, reviews of the plan and closures; referrals through their
lifecycle; group supervision sessions), one save per record, sealed as in
production. Target: catch-up >= 0.3x the raw scan-and-decode rate.
"""

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import psycopg

from casework.aggregates.base import Actor, Role
from casework.aggregates.case import (
    AssessmentDomain,
    Case,
    Client,
    ClosureReason,
    DomainRating,
    Goal,
    GoalOutcome,
    NoteKind,
    OutcomeOfGoal,
    ReferralSource,
    RiskLevel,
    TeamScope,
)
from casework.aggregates.discipline import Discipline
from casework.aggregates.referral import Holder, Referral, ResponseDeadlines, SharedPart, Urgency
from casework.aggregates.supervision import SessionFormat, SupervisionSession, Topic
from casework.application import Casework
from casework.projections import Projections
from casework.projections.machinery.generations import bookkeeping
from casework.settings import Settings
from casework.store.master_key import MasterKey

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
KINDS = list(NoteKind)


class DemoCentre:
    """Five departments, twenty workers, two supervisors; cases spread across them."""

    def __init__(self) -> None:
        self.centre_id = uuid4()
        self.departments = [uuid4() for _ in range(5)]
        self.workers = [Actor(uuid4(), Role.CASEWORKER) for _ in range(20)]
        self.lawyer = Actor(uuid4(), Role.SPECIALIST)
        self.supervisors = [Actor(uuid4(), Role.SUPERVISOR) for _ in range(2)]
        self.deadlines = ResponseDeadlines()

    def case_records(self, n: int, notes: int) -> list[object]:
        """One case's records: the case (about `notes` + 9 events), and every fourth
        case a referral through its lifecycle (4 events)."""
        worker = self.workers[n % len(self.workers)]
        department = self.departments[n % len(self.departments)]
        at = START + timedelta(hours=n)
        case = Case.open(
            worker,
            [Client(uuid4(), f"client {n}", phone=f"138{n:08d}")],
            "family conflict; worried about the children",
            ReferralSource.COMMUNITY_COMMITTEE,
            self.centre_id,
            department,
            worker.staff_id,
            RiskLevel.MEDIUM,
            occurred_at=at,
        )
        case.record_consent(
            worker,
            True,
            at.date(),
            [Discipline.SOCIAL_WORK, Discipline.LAW],
            department_ids=self.departments,
            occurred_at=at,
        )
        case.record_assessment(
            worker,
            Discipline.SOCIAL_WORK,
            [DomainRating(AssessmentDomain.FAMILY, 3, "arguments at home")],
            "needs support",
            occurred_at=at + timedelta(days=1),
        )
        goals = [
            Goal(
                uuid4(),
                "calmer home",
                ["weekly visits", "parenting group"],
                Discipline.SOCIAL_WORK,
                worker.staff_id,
                at.date() + timedelta(days=90),
                at.date() + timedelta(days=30),
            )
        ]
        case.propose_plan(worker, goals, occurred_at=at + timedelta(days=2))
        case.add_team_member(
            worker,
            self.lawyer.staff_id,
            Discipline.LAW,
            TeamScope.SUMMARY,
            occurred_at=at + timedelta(days=2),
        )
        for i in range(notes):
            case.record_note(
                worker,
                KINDS[(n + i) % len(KINDS)],
                "visited the family; calmer this week",
                45,
                occurred_at=at + timedelta(days=3 + i),
            )
        case.rerate_risk(worker, RiskLevel.LOW, "calmer", occurred_at=at + timedelta(days=40))
        case.review_plan(
            worker, "on track", at.date() + timedelta(days=60), occurred_at=at + timedelta(days=41)
        )
        records: list[object] = [case]
        if n % 4 == 0:
            target = self.departments[(n + 1) % len(self.departments)]
            referral = Referral.send(
                worker,
                case,
                Holder.department(department),
                Holder.department(target),
                "day care",
                Urgency.ROUTINE,
                [SharedPart.CASE_SUMMARY],
                self.deadlines,
                at + timedelta(days=5),
            )
            referral.accept(worker, at + timedelta(days=6))
            referral.start_service(worker, at + timedelta(days=7))
            referral.complete(worker, "attended", at + timedelta(days=30))
            records.append(referral)
        if n % 3 == 0:
            case.close(
                worker,
                ClosureReason.GOALS_MET,
                [OutcomeOfGoal(goals[0].goal_id, GoalOutcome.ACHIEVED)],
                "goals met",
                occurred_at=at + timedelta(days=80),
            )
        return records

    def session(self, n: int, case_ids: list[UUID]) -> SupervisionSession:
        supervisor = self.supervisors[n % 2]
        supervisees = [w.staff_id for w in self.workers[(n % 5) * 4 : (n % 5) * 4 + 4]]
        at = START + timedelta(days=7 * n)
        session = SupervisionSession.hold(
            supervisor,
            SessionFormat.GROUP,
            supervisor.staff_id,
            supervisees,
            90,
            [Topic.CASE_PRACTICE],
            at,
        )
        for case_id in case_ids:
            session.discuss_case(supervisor, case_id, at)
        session.record_decision(supervisor, "visit weekly", at)
        session.add_action_item(
            supervisor, supervisees[0], "call the school", at.date() + timedelta(14), at
        )
        session.sign(supervisor, at)
        return session


def fill(app: Casework, events: int) -> int:
    centre = DemoCentre()
    notes = 16
    n = 0
    recent: list[UUID] = []
    started = time.perf_counter()
    while app.last_position() < events:
        records = centre.case_records(n, notes)
        app.save(*records)
        recent.append(records[0].id)  # type: ignore[attr-defined]
        if len(recent) == 3:
            app.save(centre.session(n, recent))
            recent = []
        n += 1
        if n % 500 == 0:
            done = app.last_position()
            rate = done / (time.perf_counter() - started)
            print(f"  written {done:,}/{events:,} events ({rate:,.0f} events/s)", flush=True)
    return app.last_position()


def scan_and_decode(app: Casework) -> tuple[int, float]:
    started = time.perf_counter()
    position, count = 0, 0
    decode = app.mapper.to_domain_event
    while True:
        page = app.recorder.select_notifications(position, 1000, inclusive_of_start=False)
        if not page:
            break
        for n in page:
            decode(n)
        count += len(page)
        position = page[-1].id
    return count, time.perf_counter() - started


def catch_up(app: Casework) -> tuple[int, float]:
    """All views from zero, in fresh tables (previous runs' tables dropped first)."""
    projections = Projections(app)
    for name, generation in projections.serving().items():
        for table in projections.view_classes[name](generation).tables:
            table.drop(projections.engine, checkfirst=True)
    bookkeeping.drop_all(projections.engine)
    projections.close()
    projections = Projections(app)
    started = time.perf_counter()
    position = projections.catch_up()
    elapsed = time.perf_counter() - started
    projections.close()
    return position, elapsed


def run(backend: str, settings: Settings, events: int, repeats: int) -> None:
    app = Casework(settings, MasterKey.generate("benchmark"))
    print(f"{backend}: writing a demo-like store of {events:,} events ...", flush=True)
    total = fill(app, events)
    app.close()
    # A fresh application: no cached keys or decoders from the writes.
    app = Casework(settings, app.keyring.master)
    scans, views = [], []
    scan_and_decode(app)  # unmeasured: the first pass reads from disk, later ones from cache
    # Alternate the two, so a busy machine slows both alike; report the medians.
    for _ in range(repeats):
        scanned, scan_time = scan_and_decode(app)
        projected, project_time = catch_up(app)
        scans.append(scanned / scan_time)
        views.append(projected / project_time)
    scan_rate, view_rate = statistics.median(scans), statistics.median(views)
    print(
        f"{backend}: {total:,} events | raw scan+decode {scan_rate:,.0f} events/s | "
        f"all views catch-up {view_rate:,.0f} events/s | "
        f"ratio {view_rate / scan_rate:.2f} (target >= 0.30) | "
        f"medians of {repeats}; ratios per round "
        + ", ".join(f"{v / s:.2f}" for s, v in zip(scans, views, strict=True)),
        flush=True,
    )
    app.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="events in the store")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--repeats", type=int, default=3, help="rounds of each measurement")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run("sqlite", Settings.from_env({"CASEWORK_DATA_DIR": tmp}), args.events, args.repeats)
    if args.backend in ("postgres", "both"):
        schema = f"cw_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres_url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
            try:
                settings = Settings.from_env(
                    {
                        "CASEWORK_DATA_DIR": tempfile.mkdtemp(),
                        "CASEWORK_DATABASE_URL": f"{args.postgres_url}?schema={schema}",
                    }
                )
                run("postgres", settings, args.events, args.repeats)
            finally:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return 0


if __name__ == "__main__":
    sys.exit(main())
