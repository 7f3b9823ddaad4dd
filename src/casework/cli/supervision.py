"""`casework supervision`: recording a session and what it covered (each sub-command's
options are its command's fields, `command_options`, checked as the API checks them),
who is due or overdue for supervision, and random audit samples of a worker's records
(drawn, then checked by drawing again)."""

import argparse
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from casework.application.commands import Command
from casework.application.commands.supervision import (
    AddActionItem,
    AddSupervisionAddendum,
    DiscussCase,
    MarkActionItemDone,
    RecordSupervisionDecision,
    RecordSupervisionSession,
    SignSupervisionSession,
    WriteSupervisionNote,
)
from casework.cli.command_options import add_options, command_from
from casework.cli.session import casework_session, signed_in_principal

# sub-command: (its command, the service method, its help, the records it addresses
# (before its options), what the answer's id is)
SESSION_COMMANDS: dict[str, tuple[type[Command], str, str, tuple[str, ...], str]] = {
    "record": (
        RecordSupervisionSession,
        "record_supervision_session",
        "record a supervision session you held",
        (),
        "supervision session",
    ),
    "note": (
        WriteSupervisionNote,
        "write_supervision_note",
        "write a note of the session",
        ("session",),
        "note",
    ),
    "discuss": (
        DiscussCase,
        "discuss_case_in_supervision",
        "write (or before sign-off rewrite) what the session said about a case",
        ("session",),
        "case discussion",
    ),
    "decision": (
        RecordSupervisionDecision,
        "record_supervision_decision",
        "record a decision of the session",
        ("session",),
        "",
    ),
    "action-item": (
        AddActionItem,
        "add_action_item",
        "add an action item to the session",
        ("session",),
        "action item",
    ),
    "done": (
        MarkActionItemDone,
        "mark_action_item_done",
        "mark an action item done (its owner or the supervisor)",
        ("session", "item"),
        "",
    ),
    "sign": (
        SignSupervisionSession,
        "sign_supervision_session",
        "sign the session off (each participant)",
        ("session",),
        "",
    ),
    "addendum": (
        AddSupervisionAddendum,
        "add_supervision_addendum",
        "add an addendum to a signed session (a participant)",
        ("session",),
        "addendum",
    ),
}
ADDRESSED = {"session": "the supervision session id", "item": "the action item id"}


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    supervision = commands.add_parser(
        "supervision", help="supervision sessions, due dates and random audit samples"
    )
    sub = supervision.add_subparsers(
        dest="supervision_command", metavar="SUPERVISION_COMMAND", required=True
    )

    for name, (command, _, help_text, addressed, _) in SESSION_COMMANDS.items():
        parser = sub.add_parser(
            name,
            help=help_text,
            description=f"{help_text[0].upper()}{help_text[1:]}, as the account you "
            "signed in with.",
        )
        for record in addressed:
            parser.add_argument(record, type=UUID, metavar=record.upper(), help=ADDRESSED[record])
        add_options(parser, command)
        parser.set_defaults(run=run_session_command)

    due = sub.add_parser(
        "due",
        help="when each member of staff is next due for supervision",
        description="List every active caseworker, specialist and department head with "
        "the date they were last supervised and the date they are next due (by their "
        "supervision frequency policy), soonest first; OVERDUE marks those past due.",
    )
    due.add_argument("--on", type=date.fromisoformat, help="the day to judge by (default today)")
    due.set_defaults(run=run_due)

    sample = sub.add_parser(
        "audit-sample",
        help="draw a random sample of a worker's records in a period",
        description="Draw SIZE records (notes, assessments, plan versions, closures) at "
        "random from the cases WORKER leads, that happened from --from to --to, for the "
        "routine audit register. The seed is recorded (and printed) so anyone can draw "
        "the same sample again with `casework supervision check-sample`. You act as the "
        "account you signed in with (a supervisor, department head or centre director).",
    )
    sample.add_argument("worker", type=UUID, metavar="WORKER", help="the worker's staff id")
    sample.add_argument(
        "--from", dest="start", type=date.fromisoformat, required=True, help="first day"
    )
    sample.add_argument(
        "--to", dest="end", type=date.fromisoformat, required=True, help="last day (included)"
    )
    sample.add_argument("--size", type=int, default=5, help="how many records (default 5)")
    sample.add_argument("--seed", type=int, help="a seed of your own (default: random)")
    sample.set_defaults(run=run_audit_sample)

    check = sub.add_parser(
        "check-sample",
        help="draw a recorded audit sample again and compare",
        description="Reload every case at the version the sample recorded, rebuild the "
        "candidate records, draw again with the recorded seed, and say whether the "
        "result is the recorded sample.",
    )
    check.add_argument("sample", type=UUID, metavar="SAMPLE", help="the audit sample id")
    check.set_defaults(run=run_check_sample)


def run_session_command(args: argparse.Namespace) -> int:
    command, method, _, addressed, answer = SESSION_COMMANDS[args.supervision_command]
    given = command_from(args, command)
    records = [getattr(args, record) for record in addressed]
    with casework_session(args.pending_checkpoints) as app:
        service: Callable[..., Any] = getattr(app, method)
        created = service(signed_in_principal(app), *records, given)
    where = f"on supervision session {records[0]}" if records else ""
    print(" ".join(filter(None, ["recorded", where, f"{answer} {created}" if answer else ""])))
    return 0


def run_due(args: argparse.Namespace) -> int:
    on = args.on or date.today()
    with casework_session(args.pending_checkpoints) as app:
        due = app.supervision_due(signed_in_principal(app))
    for row in due:
        last = row.last_supervised_on.isoformat() if row.last_supervised_on else "never"
        next_due = row.due_on.isoformat() if row.due_on else "now"
        flag = "  OVERDUE" if row.is_overdue(on) else ""
        print(f"{row.name:<24} {row.staff_id}  last {last:<10}  due {next_due:<10}{flag}")
    return 0


def run_audit_sample(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        actor = signed_in_principal(app)
        sample = app.get_audit_sample(
            actor,
            app.draw_audit_sample(actor, args.worker, args.start, args.end, args.size, args.seed),
        )
    print(
        f"audit sample {sample.id}: {len(sample.selected)} of {sample.candidate_count} "
        f"records, seed {sample.seed}"
    )
    for record in sample.selected:
        version = f" v{record.plan_version}" if record.plan_version else ""
        print(f"  case {record.case_id}  {record.kind.value}{version}  {record.record_id}")
    return 0


def run_check_sample(args: argparse.Namespace) -> int:
    with casework_session(args.pending_checkpoints) as app:
        same = app.audit_sample_reproduces(signed_in_principal(app), args.sample)
    print(
        "the same candidates and the same draw: the sample is reproduced"
        if same
        else "NOT reproduced: the candidates or the draw differ from what was recorded"
    )
    return 0 if same else 1
