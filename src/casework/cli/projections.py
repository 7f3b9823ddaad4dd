"""`casework projections` (status, rebuild, run) and the read commands on the views:
`casework cases`, `casework caseload`, `casework plan`, `casework referral-chains`,
`casework timeline`. Read commands bring the views up to date first.

The read commands act as the account signed in with `casework login`: they show only
the cases it may see, each recorded in the access log, and name people, departments,
agencies and goals. `projections status|rebuild|run` are operator commands: they need
the keys, no sign-in, and show no case content."""

import argparse
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TypeAlias
from uuid import UUID

from eventsourcing.utils import get_topic

from casework.aggregates.base import InvalidValue
from casework.aggregates.case import Case, CaseStatus, RecordKind, RiskLevel
from casework.aggregates.staff import Staff
from casework.application import Casework, view_reads
from casework.application.errors import NotFound
from casework.application.principal import Principal
from casework.cli.arguments import at_least
from casework.cli.names import Names
from casework.cli.session import casework_session, signed_in_principal
from casework.projections import Projections

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(commands: Commands) -> None:
    _register_projections(commands)
    _register_reads(commands)


def _register_projections(commands: Commands) -> None:
    group = commands.add_parser("projections", help="the views: status, rebuild, run")
    sub = group.add_subparsers(dest="projections_command", metavar="PROJECTIONS_COMMAND")
    sub.required = True

    status = sub.add_parser(
        "status",
        help="each view's position, lag and health",
        description="For every view: the generation serving reads, the log position it "
        "has reached, how many events it lags behind the log, its health (current, "
        "catching up, stopped: no runner, failing, outdated), its runner, and any rebuild "
        "under way.",
    )
    status.set_defaults(run=run_status)

    rebuild = sub.add_parser(
        "rebuild",
        help="rebuild a view (or all) from zero beside the serving one, then switch",
        description="Build NAME from the start of the log into new tables while the "
        "current tables keep answering reads, and switch over once caught up "
        "(blue/green). Without NAME, every view in turn. Shows progress.",
    )
    rebuild.add_argument("name", nargs="?", metavar="NAME", help="the view (default: all)")
    rebuild.set_defaults(run=run_rebuild)

    runner = sub.add_parser(
        "run",
        help="keep the views fresh until stopped (Ctrl-C)",
        description="Run the projection runner: catch up, then follow the log. On "
        "PostgreSQL views are fresh within a second of a write; several runners may run "
        "and each view is run by one of them (another takes over within seconds if it "
        "dies). On SQLite run one per database file. --once catches up and exits.",
    )
    runner.add_argument("--once", action="store_true", help="catch up, then exit")
    runner.set_defaults(run=run_runner)


def _register_reads(commands: Commands) -> None:
    cases = commands.add_parser(
        "cases",
        help="list cases: mine, a department's, by status, risk, overdue review, client",
        description="List the cases you may see (each is recorded in the access log) from "
        "the case index: id, clients' names, status, risk, dates, lead worker and "
        "department. Filters combine. A client is found by exact ID number, phone or name "
        "through the blind indexes.",
    )
    cases.add_argument("--worker", type=UUID, help="cases this staff member leads or is on")
    cases.add_argument("--department", type=UUID, help="cases of this department")
    cases.add_argument(
        "--status", action="append", choices=[s.value for s in CaseStatus], help="repeatable"
    )
    cases.add_argument(
        "--risk", action="append", choices=[r.value for r in RiskLevel], help="repeatable"
    )
    cases.add_argument("--open", action="store_true", help="open cases only")
    cases.add_argument(
        "--overdue", action="store_true", help="open cases whose plan review is overdue"
    )
    cases.add_argument(
        "--client",
        nargs=2,
        metavar=("FIELD", "VALUE"),
        help="find by client: id_number, phone or name, e.g. --client phone '138 0013 8000'",
    )
    cases.set_defaults(run=run_cases)

    caseload = commands.add_parser(
        "caseload",
        help="caseloads and service indicators per worker, department and month",
        description="Open cases by risk and stage, overdue plan reviews and records "
        "awaiting review per worker and department, and monthly counts (intakes, notes "
        "by kind, late entries, breaks of the glass, referrals, closures by reason, "
        "supervision sessions). --position pins the report: the same position and day "
        "always give the same numbers.",
    )
    caseload.add_argument(
        "--position",
        type=at_least(1),
        help="log position to report at, 1 to the log's last (default: now, not pinned)",
    )
    caseload.add_argument("--on", type=date.fromisoformat, help="the day to judge overdue by")
    caseload.set_defaults(run=run_caseload)

    plan = commands.add_parser(
        "plan",
        help="a case's multidisciplinary plan, or every overdue plan item",
        description="With CASE: its plan versions, approval state (and whether the "
        "approved version was amended since), each goal's discipline, responsible person, "
        "dates and outcome. Without: every overdue goal target or review.",
    )
    plan.add_argument("case", nargs="?", type=UUID, metavar="CASE", help="the case id")
    plan.add_argument("--on", type=date.fromisoformat, help="the day to judge overdue by")
    plan.set_defaults(run=run_plan)

    chains = commands.add_parser(
        "referral-chains",
        help="referral hops of a case, stalled referrals, loops, per holder",
        description="Every hop of the case's referral chains (with --case), the "
        "referrals stalled without an answer (--stalled), the loops (--loops), or, by "
        "default, a summary per department and agency with mean response times.",
    )
    chains.add_argument("--case", type=UUID, help="the hops of this case's chains")
    chains.add_argument("--stalled", action="store_true", help="referrals past their deadline")
    chains.add_argument("--loops", action="store_true", help="chains that came back")
    chains.set_defaults(run=run_referral_chains)

    timeline = commands.add_parser(
        "timeline",
        help="every event of a case: who, in what role, when, what kind",
        description="The audit timeline of CASE: each event's log position, record, "
        "kind, actor and role, when it happened and when it was recorded.",
    )
    timeline.add_argument("case", type=UUID, metavar="CASE", help="the case id")
    timeline.set_defaults(run=run_timeline)


@contextmanager
def _projections(args: argparse.Namespace, catch_up: bool = True) -> Iterator[Projections]:
    """The views of the store named by the environment (brought up to date first)."""
    with casework_session(args.pending_checkpoints) as app:
        projections = Projections(app)
        try:
            if catch_up:
                projections.catch_up()
            yield projections
        finally:
            projections.close()


def _require(app: Casework, record_id: UUID, created: type, what: str) -> None:
    """Refuse an id that names no such record: "0 event(s)" would read as an answer.
    Read from the log's clear columns (nothing decrypted; an erased case still counts)."""
    first = app.recorder.select_events(record_id, limit=1)
    if not first or first[0].topic != get_topic(created):
        raise NotFound(what, record_id)


def _require_department(app: Casework, by: Principal, department_id: UUID) -> None:
    departments = app.read_organisation(by).departments
    if not any(d.department_id == department_id for d in departments):
        raise NotFound("department", department_id)


def _show(rows: list[list[str]]) -> None:
    if not rows:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


def _when(value: datetime | date | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def run_status(args: argparse.Namespace) -> int:
    with _projections(args, catch_up=False) as projections:
        rows = [["VIEW", "GEN", "POSITION", "LAG", "HEALTH", "RUNNER", "REBUILD"]]
        for s in projections.status():
            building = f"gen {s.building[0]} at {s.building[1]}" if s.building else "-"
            rows.append(
                [
                    s.name,
                    str(s.generation),
                    str(s.position),
                    str(s.lag),
                    s.health,
                    s.runner or "-",
                    building,
                ]
            )
        _show(rows)
    return 0


def _progress() -> Callable[[str, int, int], None]:
    last = [0.0]
    started = time.monotonic()

    def show(name: str, position: int, head: int) -> None:
        now = time.monotonic()
        if now - last[0] < 1.0 and position < head:
            return
        last[0] = now
        rate = position / max(now - started, 1e-6)
        share = 100 * position // head if head else 100
        print(f"  {name}: {position:,}/{head:,} events ({share}%), {rate:,.0f} events/s")

    return show


def run_rebuild(args: argparse.Namespace) -> int:
    with _projections(args, catch_up=False) as projections:
        names = [args.name] if args.name else list(projections.view_classes)
        for name in names:
            if name not in projections.view_classes:
                known = ", ".join(projections.view_classes)
                print(f"casework: no view {name!r}; the views are {known}", file=sys.stderr)
                return 2
        # All the views from one scan of the log; the old generations are dropped.
        print(f"rebuilding {', '.join(names)} ...")
        for name, generation in projections.rebuild_all(names, _progress()).items():
            print(f"{name}: generation {generation} is now serving")
    return 0


def run_runner(args: argparse.Namespace) -> int:
    # A long-running runner catches up only the views it leads (see Projections.run).
    with _projections(args, catch_up=args.once) as projections:
        if args.once:
            print(f"views caught up to position {projections.app.last_position()}")
            return 0
        stop = threading.Event()
        # SIGTERM (a service manager, or `casework serve` stopping the runner beside
        # it) stops it as Ctrl-C does, between batches; a shell's `&` ignores SIGINT.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        print("projection runner started; Ctrl-C to stop", flush=True)
        try:
            projections.run(stop, on_error=lambda e: print(f"casework: {e}", file=sys.stderr))
        except KeyboardInterrupt:
            stop.set()
    return 0


def run_cases(args: argparse.Namespace) -> int:
    with _projections(args) as projections:
        app = projections.app
        reader = signed_in_principal(app)
        if args.worker:
            _require(app, args.worker, Staff.Joined, "staff member")
        if args.department:
            _require_department(app, reader, args.department)
        case_ids = None
        if args.client:
            # Only cases the signed-in person may see; the search is recorded.
            case_ids = app.find_cases_by_client(reader, *args.client)
        with projections.read("case_index") as (view, connection):
            found = view.find(
                connection,
                status=args.status or (),
                open_only=args.open,
                risk=args.risk or (),
                department_id=args.department,
                worker_id=args.worker,
                overdue_on=date.today() if args.overdue else None,
                case_ids=case_ids,
            )
        # Only the cases the reader may see, each recorded in the access log.
        visible = {v.case_id: v for v in app.visible_cases(reader, [c.case_id for c in found])}
        found = [c for c in found if c.case_id in visible]
        names = Names(app, reader)
        rows = [["CASE", "CLIENT", "STATUS", "RISK", "OPENED", "NEXT REVIEW", "NOTES"]]
        rows[0] += ["LEAD WORKER", "DEPARTMENT"]
        rows += [
            [
                str(c.case_id),
                ", ".join(visible[c.case_id].client_names),
                c.status + (" (plan awaiting approval)" if c.plan_pending_approval else ""),
                c.risk_level,
                _when(c.opened_at),
                _when(c.next_review_on),
                str(c.notes),
                names.staff(c.lead_worker_id),
                names.department(c.department_id),
            ]
            for c in found
        ]
    _show(rows)
    print(f"{len(found)} case(s)")
    return 0


def run_caseload(args: argparse.Namespace) -> int:
    on = args.on or date.today()
    with _projections(args) as projections:
        app = projections.app
        reader = signed_in_principal(app)
        last = app.last_position()
        if args.position is not None and args.position > last:
            # Beyond the log the numbers would change as events arrive: not a pinned report.
            raise InvalidValue(
                "--position", f"{args.position} is beyond the end of the log (position {last})"
            )
        position = args.position or last
        # Counted over the cases the reader may see, each recorded in the access log.
        visible = view_reads.visible_case_ids(app, projections, reader)
        with projections.read("caseload") as (view, connection):
            report = view.report(connection, position, on, case_ids=visible)
        names = Names(app, reader)
        tables = (("WORKER", report.by_worker, names.staff),)
        tables += (("DEPARTMENT", report.by_department, names.department),)
        pinned = "pinned at" if args.position else "now, at"
        print(
            f"caseload {pinned} log position {position}, judged on {on.isoformat()}, over the "
            f"{len(visible)} case(s) you may see"
        )
        for title, loads, name in tables:
            rows = [[title, "OPEN", "BY RISK", "BY STAGE", "OVERDUE REVIEWS", "AWAITING REVIEW"]]
            for key, load in sorted(loads.items(), key=lambda kv: name(kv[0])):
                rows.append(
                    [
                        names.labelled(name(key), key),
                        str(load.open_cases),
                        " ".join(f"{k}={v}" for k, v in sorted(load.open_by_risk.items())) or "-",
                        " ".join(f"{k}={v}" for k, v in sorted(load.open_by_status.items())) or "-",
                        str(load.overdue_reviews),
                        str(load.awaiting_review),
                    ]
                )
            print()
            _show(rows)
    print()
    rows = [["MONTH", "INDICATOR", "DETAIL", "COUNT"]]
    rows += [[m.month, m.indicator, m.detail or "-", str(m.count)] for m in report.monthly]
    _show(rows)
    return 0


def run_plan(args: argparse.Namespace) -> int:
    on = args.on or date.today()
    with _projections(args) as projections, projections.read("case_plan") as (view, connection):
        app = projections.app
        reader = signed_in_principal(app)
        names = Names(app, reader)
        if args.case is None:
            items = view.overdue(connection, on)
            # Only the cases the reader may see, each recorded in the access log.
            visible = {v.case_id: v for v in app.visible_cases(reader, [i.case_id for i in items])}
            items = [i for i in items if i.case_id in visible]
            rows = [["CASE", "CLIENT", "GOAL", "OVERDUE", "DUE", "DISCIPLINE", "RESPONSIBLE"]]
            rows += [
                [
                    str(i.case_id),
                    ", ".join(visible[i.case_id].client_names),
                    visible[i.case_id].goal_titles.get(i.goal_id, "(plan not shown to you)"),
                    i.what,
                    _when(i.due),
                    i.discipline,
                    names.staff(i.responsible_id),
                ]
                for i in items
            ]
            _show(rows)
            print(f"{len(items)} overdue item(s) on {on.isoformat()}")
            return 0
        _require(app, args.case, Case.Opened, "case")
        # Refused (and recorded) unless the reader may see the case; the read is recorded.
        reading = app.read_case(reader, args.case)
        plan = view.plan_of(connection, args.case)
        goal_titles = {g.goal_id: g.title for p in reading.case.plan_versions for g in p.goals}
        if plan is None:
            print(f"casework: no case {args.case} in the case plan view", file=sys.stderr)
            return 2
        approval = f"approved v{plan.approved_version}" if plan.approved_version else "not approved"
        if plan.amended_since_approval:
            approval += "; amended since"
        clients = ", ".join(c.name for c in reading.case.clients)
        print(
            f"case {plan.case_id} ({clients}; {plan.status}): active "
            f"v{plan.active_version or '-'}, pending v{plan.pending_version or '-'}, "
            f"{approval}; next review {_when(plan.next_review_on)}"
        )
        if reading.withheld:
            print(reading.withheld_summary())
        rows = [["VERSION", "STATE", "GOAL", "DISCIPLINE", "RESPONSIBLE", "TARGET", "REVIEW"]]
        rows[0] += ["INTERVENTIONS", "OUTCOME"]
        rows += [
            [
                str(g.plan_version),
                g.plan_state,
                goal_titles.get(g.goal_id, "(plan not shown to you)"),
                g.discipline,
                names.staff(g.responsible_id),
                _when(g.target_date),
                _when(g.review_date),
                str(g.interventions),
                g.outcome or "-",
            ]
            for g in plan.goals
            if RecordKind.PLAN in reading.shown
        ]
    _show(rows)
    return 0


def run_referral_chains(args: argparse.Namespace) -> int:
    now = datetime.now(tz=UTC)
    with _projections(args) as projections, projections.read("referral_chains") as (view, c):
        app = projections.app
        reader = signed_in_principal(app)
        names = Names(app, reader)
        if args.case:
            _require(app, args.case, Case.Opened, "case")
            # Refused (and recorded) unless the reader may see the case.
            app.read_case(reader, args.case)
        if args.case or args.stalled or args.loops:
            hops = (
                view.of_case(c, args.case)
                if args.case
                else view.stalled(c, now)
                if args.stalled
                else view.loops(c)
            )
            # Only hops of cases the reader may see, each case recorded in the access log.
            visible = {v.case_id: v for v in app.visible_cases(reader, [h.case_id for h in hops])}
            hops = [h for h in hops if h.case_id in visible]
            rows = [["CASE", "CLIENT", "CHAIN", "HOP", "REFERRAL", "FROM", "TO", "URGENCY"]]
            rows[0] += ["STATUS", "SENT", "RESPOND BY", "ANSWERED AFTER", "FLAGS"]
            for h in hops:
                flags = [f for f, on in (("STALLED", h.stalled(now)), ("LOOP", h.loop)) if on]
                waited = "-" if h.response_seconds is None else f"{h.response_seconds / 3600:.1f} h"
                rows.append(
                    [
                        str(h.case_id),
                        ", ".join(visible[h.case_id].client_names),
                        str(h.chain_id),
                        str(h.hop),
                        str(h.referral_id),
                        names.holder(h.sender_kind, h.sender_id),
                        f"{h.receiver_kind} {names.holder(h.receiver_kind, h.receiver_id)}",
                        h.urgency,
                        h.status,
                        _when(h.sent_at),
                        _when(h.respond_by),
                        waited,
                        " ".join(flags) or "-",
                    ]
                )
            _show(rows)
            print(f"{len(hops)} hop(s)")
            return 0
        # Counts per department and agency: no case, client or narrative is shown.
        summaries = view.holders(c)
        rows = [["HOLDER", "KIND", "SENT", "RECEIVED", "ANSWERED", "MEAN TIME TO ANSWER"]]
        rows += [
            [
                names.labelled(names.holder(s.kind, s.holder_id), s.holder_id),
                s.kind,
                str(s.sent),
                str(s.received),
                str(s.answered),
                "-"
                if s.mean_response_seconds is None
                else f"{s.mean_response_seconds / 3600:.1f} h",
            ]
            for s in summaries
        ]
    _show(rows)
    return 0


def run_timeline(args: argparse.Namespace) -> int:
    with _projections(args) as projections, projections.read("audit_timeline") as (view, c):
        app = projections.app
        _require(app, args.case, Case.Opened, "case")
        # Refused (and recorded) unless the reader may see the case; the read is recorded.
        reader = signed_in_principal(app)
        reading = app.read_case(reader, args.case)
        entries = view.of_case(c, args.case, limit=100_000)
        names = Names(app, reader)
        clients = ", ".join(client.name for client in reading.case.clients)
        rows = [["POSITION", "RECORD", "KIND", "ACTOR", "ROLE", "OCCURRED", "RECORDED"]]
        rows += [
            [
                str(e.position),
                f"{e.record_type} v{e.version}",
                e.kind,
                names.staff(e.actor_id),
                e.actor_role or "-",
                _when(e.occurred_at),
                _when(e.recorded_at),
            ]
            for e in entries
        ]
    print(f"case {args.case} ({clients})")
    _show(rows)
    print(f"{len(entries)} event(s)")
    return 0
